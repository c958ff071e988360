// The Telegram connector's pure parts: updates and answers parsed from saved Bot API
// JSON, the sendMessage body (HTML escaping, formatting, inline keyboard), mentions in
// groups, token masking, and the rate-limit queue on a manual clock.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "bot/core/text_parts.hpp"
#include "connectors/http/backoff.hpp"
#include "connectors/http/http_client.hpp"
#include "connectors/telegram/telegram_message.hpp"
#include "connectors/telegram/telegram_update.hpp"
#include "tests/fakes/fixture_file.hpp"
#include "tests/fakes/json_mutations.hpp"

using namespace bounceback;
using namespace bounceback::telegram;
using nlohmann::json;

namespace {
std::string fixture(const std::string& name) { return testing::fixture_file("telegram/" + name); }
core::TimePoint ms(long long v) { return core::TimePoint{std::chrono::milliseconds{v}}; }
core::Outgoing message(std::int64_t id, std::string text = "hi") {
  core::Outgoing m;
  m.id = id;
  m.text = std::move(text);
  return m;
}
}  // namespace

TEST_CASE("updates from getUpdates: text, button taps, groups, then the rest skipped", "[telegram]") {
  auto updates = parse_updates(fixture("get_updates.json"));
  REQUIRE(updates);
  REQUIRE(updates->size() == 7);  // the entry without update_id is left out
  const auto& start = (*updates)[0];
  CHECK(start.kind == TelegramUpdate::Kind::message);
  CHECK(start.update_id == 817263001);
  CHECK(start.chat_id == 123456789);
  CHECK(start.chat_type == "private");
  CHECK(start.text == "/start");
  CHECK(start.first_name == "Mira");
  CHECK_FALSE(start.from_bot);

  const auto& tap = (*updates)[1];
  CHECK(tap.kind == TelegramUpdate::Kind::callback);
  CHECK(tap.callback_id == "4382bfdwdsb323b2d9");
  CHECK(tap.callback_data == "agree");
  CHECK(tap.chat_id == 123456789);
  CHECK(tap.message_id == 4213);

  const auto& group = (*updates)[2];
  CHECK(group.in_group());
  CHECK(group.chat_id == -1001234567890);
  CHECK(group.text == "/steps@bounceback_bot");

  CHECK((*updates)[3].kind == TelegramUpdate::Kind::other);  // edited_message
  CHECK((*updates)[4].kind == TelegramUpdate::Kind::other);  // a sticker
  CHECK((*updates)[4].without_text);
  CHECK_FALSE((*updates)[3].without_text);
  CHECK((*updates)[5].from_bot);
  CHECK((*updates)[6].kind == TelegramUpdate::Kind::other);  // my_chat_member

  std::string why;
  CHECK_FALSE(parse_updates("<html>502 Bad Gateway</html>", &why));
  CHECK_FALSE(why.empty());
  CHECK_FALSE(parse_updates(R"({"ok":true})"));
  auto webhook = parse_webhook_update(json::parse(fixture("get_updates.json"))["result"][1].dump());
  REQUIRE(webhook);
  CHECK(webhook->callback_data == "agree");
}

TEST_CASE("Bot API answers: ok, 429 with retry_after, 403, and bodies that are not the API's", "[telegram]") {
  auto ok = parse_answer(200, fixture("send_message_ok.json"));
  CHECK(ok.ok);
  CHECK(json::parse(ok.result)["message_id"] == 4216);
  auto limited = parse_answer(429, fixture("error_429.json"));
  CHECK_FALSE(limited.ok);
  CHECK(limited.error_code == 429);
  CHECK(limited.retry_after_s == 7);
  auto blocked = parse_answer(403, fixture("error_403.json"));
  CHECK(blocked.error_code == 403);
  CHECK_THAT(blocked.description, Catch::Contains("blocked"));
  auto gateway = parse_answer(502, "<html>Bad Gateway</html>");
  CHECK_FALSE(gateway.ok);
  CHECK(gateway.error_code == 502);
}

TEST_CASE("sendMessage: HTML escaped, celebrations and safety in bold, choices as an inline keyboard", "[telegram]") {
  core::Outgoing m = message(7, "Step done! <3 & more\nKeep going.");
  m.kind = core::MessageKind::celebration;
  m.choices = {{"step.done.2", "Done: buy <shoes>"}, {std::string(65, 'x'), "too long an id"}};
  json body = json::parse(send_message_body(123, m));
  CHECK(body["chat_id"] == 123);
  CHECK(body["parse_mode"] == "HTML");
  CHECK(body["text"] == "<b>Step done! &lt;3 &amp; more</b>\nKeep going.");
  REQUIRE(body["reply_markup"]["inline_keyboard"].size() == 1);  // the 65-byte id is left out
  CHECK(body["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "step.done.2");
  CHECK(body["reply_markup"]["inline_keyboard"][0][0]["text"] == "Done: buy <shoes>");  // labels are not HTML

  core::Outgoing plain = message(8, "a < b");
  json p = json::parse(send_message_body(-100, plain));
  CHECK(p["text"] == "a &lt; b");
  CHECK_FALSE(p.contains("reply_markup"));
  CHECK(json::parse(remove_keyboard_body(5, 9))["reply_markup"]["inline_keyboard"].empty());
}

TEST_CASE("in a group only commands and mentions are for the bot", "[telegram]") {
  CHECK(addressed_to_bot("/steps", "bounceback_bot", true) == "/steps");
  CHECK(addressed_to_bot("/steps@bounceback_bot", "bounceback_bot", true) == "/steps");
  CHECK(addressed_to_bot("/done@bounceback_bot 2", "bounceback_bot", true) == "/done 2");
  CHECK_FALSE(addressed_to_bot("/steps@other_bot", "bounceback_bot", true));
  CHECK(addressed_to_bot("@bounceback_bot how does this work?", "bounceback_bot", true) == "how does this work?");
  CHECK_FALSE(addressed_to_bot("we met on Thursday", "bounceback_bot", true));
  CHECK(addressed_to_bot("we met on Thursday", "bounceback_bot", false) == "we met on Thursday");
}

TEST_CASE("the token never appears in a log line", "[telegram]") {
  std::string token = "7000000001:AAHk3-secret_Token";
  CHECK(mask_token("POST https://api.telegram.org/bot" + token + "/getUpdates failed", token) ==
        "POST https://api.telegram.org/bot<token>/getUpdates failed");
  CHECK(mask_token("nothing here", token) == "nothing here");
}

TEST_CASE("base URLs: https anywhere, plain http only to loopback", "[telegram][http]") {
  CHECK_FALSE(http::HttpClient::check_base_url("https://api.telegram.org"));
  CHECK_FALSE(http::HttpClient::check_base_url("http://127.0.0.1:8081"));
  CHECK_FALSE(http::HttpClient::check_base_url("http://localhost:8081/prefix"));
  CHECK_FALSE(http::HttpClient::check_base_url("http://[::1]:8081"));
  CHECK(http::HttpClient::check_base_url("http://api.telegram.org"));
  CHECK(http::HttpClient::check_base_url("http://10.0.0.5:8081"));
  CHECK(http::HttpClient::check_base_url("ftp://x"));
  CHECK(http::HttpClient::check_base_url("https://:443"));
}

TEST_CASE("an update with any field of the wrong type is malformed, never an exception", "[telegram][hostile]") {
  const json message_update = {
      {"update_id", 900},
      {"message", {{"message_id", 7}, {"from", {{"id", 42}, {"is_bot", false}, {"first_name", "Jo"}}},
                   {"chat", {{"id", 42}, {"type", "private"}, {"title", "t"}}}, {"date", 1773136800}, {"text", "hi"}}}};
  const json tap_update = {
      {"update_id", 901},
      {"callback_query", {{"id", "q1"}, {"data", "agree"}, {"from", {{"id", 42}, {"is_bot", false}}},
                          {"message", {{"message_id", 8}, {"chat", {{"id", 42}, {"type", "private"}}}}}}}};
  int malformed = 0;
  for (const json& update : {message_update, tap_update})
    for (const auto& m : testing::wrong_type_mutations(update)) {
      INFO(m.pointer << " = " << m.replacement.dump());
      std::optional<TelegramUpdate> one;
      REQUIRE_NOTHROW(one = parse_webhook_update(m.document.dump()));
      REQUIRE_NOTHROW(parse_updates(json{{"ok", true}, {"result", {m.document}}}.dump()));
      if (m.pointer == "/update_id") {
        CHECK_FALSE(one);  // it cannot even be confirmed
        continue;
      }
      REQUIRE(one);
      // null reads as missing, and "date" is not read; any other change of type is malformed.
      if (!m.replacement.is_null() && m.pointer.find("date") == std::string::npos) {
        CHECK(one->kind == TelegramUpdate::Kind::malformed);
        CHECK_THAT(one->problem, Catch::Contains("field '"));
        malformed += one->kind == TelegramUpdate::Kind::malformed;
      }
    }
  CHECK(malformed > 60);
  // The sender's is_bot as a string: the case that once stopped the daemon at every start.
  json is_bot_no = message_update;
  is_bot_no["message"]["from"]["is_bot"] = "no";
  auto u = parse_webhook_update(is_bot_no.dump());
  REQUIRE(u);
  CHECK(u->kind == TelegramUpdate::Kind::malformed);
  CHECK(u->problem == "field 'is_bot' is string, not a boolean");
  CHECK(u->text.empty());  // what the person wrote goes nowhere
}

TEST_CASE("back-off after failures doubles up to a minute, with jitter", "[http][backoff]") {
  std::mt19937 rng(7);
  using std::chrono::milliseconds;
  // failures -> the wait before jitter: 1 s doubled per failure, 64 s capped at a minute.
  const std::vector<std::pair<int, milliseconds>> expected = {
      {0, milliseconds(1000)}, {1, milliseconds(2000)}, {2, milliseconds(4000)}, {5, milliseconds(32000)},
      {6, milliseconds(60000)}, {20, milliseconds(60000)}, {-3, milliseconds(1000)}};
  for (auto [failures, base] : expected) {
    for (int i = 0; i < 50; ++i) {
      auto d = http::backoff_delay(failures, rng);
      CHECK(d >= base);
      CHECK(d <= base + base / 4);
    }
  }
}

TEST_CASE("a text longer than a Telegram message goes in parts, cut after lines, never inside a character", "[telegram]") {
  CHECK(core::split_text("short", 4000) == std::vector<std::string>{"short"});
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += "line " + std::to_string(i) + " — ünïcode\n";
  auto parts = core::split_text(lines, 1000);
  REQUIRE(parts.size() > 1);
  std::string joined;
  for (const auto& p : parts) {
    CHECK(p.size() <= 1000);
    CHECK(p.back() == '\n');  // cut after a line
    joined += p;
  }
  CHECK(joined == lines);
  std::string one_line(2500, 'x');
  one_line.replace(999, 2, "é");  // a two-byte character across the limit
  auto cut = core::split_text(one_line, 1000);
  REQUIRE(cut.size() == 3);
  CHECK(cut[0].size() == 999);  // before the character, not through it
  CHECK(cut[0] + cut[1] + cut[2] == one_line);
}

TEST_CASE("a text of continuation bytes only is still split (it looped forever, found by fuzzing)", "[text]") {
  std::string garbage(" ?");
  garbage += std::string(100, '\x8c');
  auto parts = core::split_text(garbage, 64);
  std::size_t total = 0;
  for (const auto& p : parts) {
    CHECK_FALSE(p.empty());
    CHECK(p.size() <= 64);
    total += p.size();
  }
  CHECK(total == garbage.size());
  CHECK(parts.size() <= 3);
}

TEST_CASE("texts are shortened by characters a person sees, never inside one", "[text]") {
  CHECK(core::shorten("short", 10) == "short");
  CHECK(core::shorten("abcdefghij", 5, "…") == "abcd…");
  // Cyrillic: two bytes a letter; a cut by bytes took half of them.
  CHECK(core::shorten("привет мир", 6) == "привет");
  // A family emoji is one character of 25 bytes (joined code points), an accent added to
  // an e stays with it.
  const std::string family = "\U0001F469\u200D\U0001F469\u200D\U0001F467";
  CHECK(core::shorten(family + family + family, 2) == family + family);
  CHECK(core::shorten("cafe\u0301 noir", 4) == "cafe\u0301");
  // Invalid UTF-8 is cut where it starts.
  CHECK(core::shorten(std::string("ok\xff\xfe"), 10) == "ok");
  // A button label of 60 flag emoji: 40 characters at most, whole ones.
  std::string flags;
  for (int i = 0; i < 60; ++i) flags += "\U0001F1E9\U0001F1EA";  // 🇩🇪
  std::string label = core::shorten(flags, 40, "…");
  CHECK(label.size() == 39 * 8 + std::string("…").size());
}
