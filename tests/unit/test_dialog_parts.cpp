#include <catch2/catch.hpp>

#include "bot/coach/chat_command.hpp"
#include "bot/dialog/condition.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/dialog/interpreter.hpp"
#include "bot/dialog/template_text.hpp"
#include "bot/core/json_text.hpp"

#include <nlohmann/json.hpp>

using namespace bounceback;

namespace {
std::optional<std::string> from(const std::map<std::string, std::string>& values, const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}
}  // namespace

TEST_CASE("templates fill variables and fall back when one is not set", "[dialog][template]") {
  std::map<std::string, std::string> values = {{"name", "Sam"}, {"steps_done", "3"}};
  auto lookup = [&](const std::string& n) { return from(values, n); };
  CHECK(dialog::render_template("Hi {{name}}, {{ steps_done }} done", lookup) == "Hi Sam, 3 done");
  CHECK(dialog::render_template("About {{worry|that}}.", lookup) == "About that.");
  CHECK(dialog::render_template("no holes", lookup) == "no holes");
  std::string error;
  CHECK(dialog::template_holes("{{name", error).empty());
  CHECK(error == "\"{{\" is not closed with \"}}\"");
  error.clear();
  dialog::template_holes("{{two words}}", error);
  CHECK_THAT(error, Catch::Contains("not a variable name"));
}

TEST_CASE("branch conditions compare numbers as numbers and text as text", "[dialog][condition]") {
  std::map<std::string, std::string> values = {{"steps_done", "10"}, {"name", "Sam"}, {"empty", ""}};
  auto lookup = [&](const std::string& n) { return from(values, n); };
  auto holds = [&](const char* text) {
    std::string error;
    auto c = dialog::parse_condition(text, error);
    REQUIRE(c);
    return c->holds(lookup);
  };
  CHECK(holds("steps_done > 9"));  // 10 > 9 as numbers, not as text
  CHECK_FALSE(holds("steps_done < 9"));
  CHECK(holds("steps_done == 10"));
  CHECK(holds("name == Sam"));
  CHECK(holds("name != \"Alex\""));
  CHECK(holds("name"));
  CHECK_FALSE(holds("empty"));
  CHECK(holds("not missing"));
  CHECK(holds("missing < 1"));  // not set counts as 0
  std::string error;
  CHECK_FALSE(dialog::parse_condition("a ~ b", error));
  CHECK_FALSE(dialog::parse_condition("", error));
}

TEST_CASE("answers are validated and normalised", "[dialog][validate]") {
  using dialog::validate_answer;
  CHECK(validate_answer("time", "7:05") == "07:05");
  CHECK(validate_answer("time", "21.30") == "21:30");
  CHECK_FALSE(validate_answer("time", "25:00"));
  CHECK_FALSE(validate_answer("time", "seven"));
  CHECK(validate_answer("time_range", "22:00-7:00") == "22:00-07:00");
  CHECK_FALSE(validate_answer("time_range", "22:00"));
  CHECK(validate_answer("number", " 3 ") == "3");
  CHECK_FALSE(validate_answer("number", "3 steps"));
  CHECK(validate_answer("timezone", "Europe/Berlin") == "Europe/Berlin");
  CHECK(validate_answer("timezone", "europe/berlin") == "Europe/Berlin");
  CHECK(validate_answer("timezone", "new york") == "America/New_York");
  CHECK_FALSE(validate_answer("timezone", "Mars/Olympus"));
  CHECK(validate_answer("non_empty", "  ok ") == "ok");
  CHECK_FALSE(validate_answer("non_empty", "   "));
}

TEST_CASE("dialog state survives a JSON round trip, then broken JSON starts fresh", "[dialog][state]") {
  dialog::DialogState s;
  s.tree = "accept";
  s.node = "ask_worry";
  s.waiting = true;
  s.stack = {{"menu", "menu"}};
  s.vars = {{"name", "Sam"}};
  s.visits = {{"accept.intro", 2}};
  s.recent_variants = {{"accept.intro", {1, 0}}};
  s.turns = 7;
  s.onboarded = true;
  CHECK(dialog::DialogState::from_json(s.to_json()) == s);
  CHECK(dialog::DialogState::from_json("{not json") == dialog::DialogState{});
  CHECK(dialog::DialogState::from_json(R"({"stack": 5})") == dialog::DialogState{});
}

TEST_CASE("chat commands: slash commands and bare words", "[coach][commands]") {
  using coach::parse_chat_command;
  auto goal = parse_chat_command("/goal Find a new job");
  REQUIRE(goal);
  CHECK(goal->name == "goal");
  CHECK(goal->args == "Find a new job");
  CHECK(parse_chat_command("/MENU")->name == "menu");
  CHECK(parse_chat_command("/start@bounceback_bot")->name == "start");
  CHECK(parse_chat_command("  menu ")->name == "menu");
  CHECK(parse_chat_command("Help!")->name == "help");
  CHECK_FALSE(parse_chat_command("show me the menu"));  // free text is never a command
  CHECK_FALSE(parse_chat_command("goal find a job"));   // arguments need the slash
  CHECK_FALSE(parse_chat_command("/"));
  CHECK_FALSE(parse_chat_command("/ 5"));
}

TEST_CASE("JSON strings are written with escapes, and invalid UTF-8 is replaced", "[json]") {
  auto write = [](std::string_view s) {
    std::string out;
    core::append_json_string(out, s);
    return out;
  };
  CHECK(write("plain") == "\"plain\"");
  CHECK(write("a \"quote\" \\ back\nline\ttab\x01") == R"("a \"quote\" \\ back\nline\ttab\u0001")");
  CHECK(write("Grüße 🎉") == "\"Grüße 🎉\"");
  // escapes at the very start and end of a run of plain characters, and only escapes
  CHECK(write("\"x\"") == R"("\"x\"")");
  CHECK(write("\n\n") == R"("\n\n")");
  CHECK(write("") == "\"\"");
  CHECK(write(std::string(100, 'a') + "\x1f") == "\"" + std::string(100, 'a') + "\\u001f\"");
  for (std::string bad : {std::string("a\xFFz"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xF4\x90\x80\x80"), std::string("cut \xE2\x82")}) {
    std::string written = write(bad);
    auto parsed = nlohmann::json::parse(written, nullptr, false);  // always readable back
    REQUIRE_FALSE(parsed.is_discarded());
    CHECK_THAT(parsed.get<std::string>(), Catch::Contains("\xEF\xBF\xBD"));
  }
}

TEST_CASE("a dialog state reads back what it wrote, strange words included", "[json][dialog]") {
  dialog::DialogState s;
  s.tree = "one_step";
  s.node = "ask \"x\"";
  s.waiting = true;
  s.stack = {{"menu", "top"}, {"goals", "list"}};
  s.vars = {{"name", "Zoë \"Z\"\n"}, {"goal_title", "bad \xFF byte"}, {"empty", ""}};
  s.recent_variants = {{"nudges.step", {2, 0, 1}}, {"empty", {}}};
  s.visits = {{"menu.top", 3}};
  s.turns = 12345678901ull;
  s.onboarded = true;
  auto back = dialog::DialogState::from_json(s.to_json());
  s.vars["goal_title"] = "bad \xEF\xBF\xBD byte";  // the one invalid byte, replaced
  CHECK(back == s);
  CHECK(dialog::DialogState::from_json(dialog::DialogState{}.to_json()) == dialog::DialogState{});
}

TEST_CASE("a dialog context works values out from its sources when read, and sources speak for live state",
          "[dialog]") {
  dialog::DialogContext context = {{"name", "Mira"}, {"goal", "set before"}};
  int steps = 1, reads = 0;
  context.add_source("goals", [&](std::string_view key) -> std::optional<std::string> {
    ++reads;
    if (key == "goal") return "Run 5k";
    if (key == "steps_done") return std::to_string(steps);
    return std::nullopt;
  });
  CHECK(reads == 0);  // nothing worked out until read
  CHECK(context.get("name") == "Mira");
  CHECK(context.get("goal") == "Run 5k");  // the source wins over a value set earlier
  CHECK(context.get("steps_done") == "1");
  steps = 2;
  CHECK(context.get("steps_done") == "2");  // read again: the state as it is now
  CHECK_FALSE(context.get("nobody_knows"));
  CHECK(context.value("nobody_knows").empty());
  context.add_source("goals", [](std::string_view) -> std::optional<std::string> { return "replaced"; });
  CHECK(context.get("steps_done") == "replaced");  // the same name replaces, not adds
  context["undo_ok"] = "1";
  CHECK(context.get("undo_ok") == "replaced");
}
