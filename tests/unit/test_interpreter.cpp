#include <catch2/catch.hpp>

#include "bot/dialog/dialog_checker.hpp"
#include "bot/dialog/dialog_loader.hpp"
#include "bot/dialog/interpreter.hpp"

using namespace bounceback;
using dialog::DialogState;

namespace {

// A checked set from YAML texts, keyed by tree id.
dialog::DialogSet make_set(const std::map<std::string, std::string>& trees) {
  dialog::DialogSet set;
  std::vector<dialog::Diagnostic> diagnostics;
  for (const auto& [id, yaml] : trees) set.trees.emplace(id, dialog::parse_dialog(yaml, id + ".yaml", diagnostics));
  dialog::check_dialogs(set, diagnostics);
  for (const auto& d : diagnostics) FAIL_CHECK(d.to_string());
  return set;
}

std::vector<std::string> texts(const dialog::DialogOutput& out) {
  std::vector<std::string> t;
  for (const auto& r : out.replies) t.push_back(r.text);
  return t;
}

const char* kMain = R"(
start: hello
nodes:
  hello:
    say: "Hello {{name}}."
    next: feel
  feel:
    ask: "How are you?"
    choices:
      - { id: good, label: "Good", next: glad }
      - { id: bad, label: "Not great", next: sorry }
  glad:
    say: "Glad to hear it."
    next: when
  sorry:
    say: "I'm sorry."
    next: helper
  helper:
    call: breathe
    next: when
  when:
    ask: "When shall I check in?"
    text: time
    validate: time
    invalid: "A time like 08:00, please."
    next: save
  save:
    action: add_nudge_time
    args: { time: "{{time}}" }
    next: count
  count:
    branch:
      - { if: "visits.feel > 1", next: again }
      - { else: done }
  again:
    say: "Welcome back."
    next: done
  done:
    end: true
)";

const char* kBreathe = R"(
start: in
nodes:
  in:
    say: "Breathe in."
    next: out
  out:
    say: "Breathe out."
    next: back
  back:
    return: true
)";

}  // namespace

TEST_CASE("say runs on to the next ask, which waits, then choices lead on", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  auto out = interpreter.start(state, "main", {{"name", "Sam"}}, rng);
  CHECK(texts(out) == std::vector<std::string>{"Hello Sam.", "How are you?"});
  CHECK(out.replies.back().choices == std::vector<core::Choice>{{"good", "Good"}, {"bad", "Not great"}});
  CHECK(state.waiting);
  CHECK(state.node == "feel");

  out = interpreter.answer(state, "", "good", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"Glad to hear it.", "When shall I check in?"});
  CHECK(state.node == "when");
}

TEST_CASE("only nodes with several texts are remembered for variety", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "main", {{"name", "Sam"}}, rng);  // "Hello", "How are you?": one text each
  CHECK(state.recent_variants.empty());  // nothing stored for them in the person's state
}

TEST_CASE("a choice may be typed: its label, its id or its number", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  dialog::VariantRng rng(1);
  for (const char* typed : {"not great", "BAD", "2"}) {
    DialogState state;
    interpreter.start(state, "main", {}, rng);
    auto out = interpreter.answer(state, typed, "", {}, rng);
    CHECK(texts(out).front() == "I'm sorry.");
  }
}

TEST_CASE("free text where a choice is expected asks again, with the choices", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "main", {}, rng);
  auto out = interpreter.answer(state, "purple", "", {}, rng);
  REQUIRE(out.replies.size() == 1);  // one message: the word first, then the question
  CHECK_THAT(out.replies[0].text, Catch::Contains("pick one of the options"));
  CHECK_THAT(out.replies[0].text, Catch::EndsWith("\n\nHow are you?"));
  CHECK(out.replies[0].choices.size() == 2);
  CHECK(state.node == "feel");
  // A button from an older question is not a choice here either.
  out = interpreter.answer(state, "", "stale_button", {}, rng);
  CHECK(state.node == "feel");
  CHECK(out.replies.back().choices.size() == 2);
}

TEST_CASE("call runs another tree and return comes back to next", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "main", {}, rng);
  auto out = interpreter.answer(state, "", "bad", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"I'm sorry.", "Breathe in.", "Breathe out.", "When shall I check in?"});
  CHECK(state.tree == "main");
  CHECK(state.stack.empty());
}

TEST_CASE("free text is validated, captured and used by actions, then branches read counters", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "main", {}, rng);
  interpreter.answer(state, "", "good", {}, rng);
  auto out = interpreter.answer(state, "at eight", "", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"A time like 08:00, please.\n\nWhen shall I check in?"});
  CHECK(out.actions.empty());

  out = interpreter.answer(state, "8:00", "", {}, rng);
  CHECK(state.vars["time"] == "08:00");
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0] == dialog::DialogAction{"add_nudge_time", {{"time", "08:00"}}});
  CHECK(out.replies.empty());  // visits.feel is 1: straight to the end
  CHECK(state.idle());

  // A second time through, the counter takes the other arm.
  interpreter.start(state, "main", {}, rng);
  interpreter.answer(state, "", "good", {}, rng);
  out = interpreter.answer(state, "9:30", "", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"Welcome back."});
}

TEST_CASE("say variants never repeat one of the last few", "[interpreter]") {
  auto set = make_set({{"v", R"(
start: pick
nodes:
  pick:
    say: ["one", "two", "three", "four", "five"]
    next: done
  done: { end: true }
)"}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(42);
  std::vector<std::string> said;
  for (int i = 0; i < 100; ++i) said.push_back(texts(interpreter.start(state, "v", {}, rng)).at(0));
  for (std::size_t i = 0; i < said.size(); ++i)
    for (std::size_t back = 1; back <= 3 && back <= i; ++back) CHECK(said[i] != said[i - back]);
  CHECK(std::set<std::string>(said.begin(), said.end()).size() == 5);
}

TEST_CASE("goto to another tree, set and finish_onboarding", "[interpreter]") {
  auto set = make_set({{"a", R"(
start: first
nodes:
  first:
    action: set
    args: { var: mood, value: "calm" }
    next: mark
  mark:
    action: finish_onboarding
    next: jump
  jump:
    goto: b.middle
)"},
                       {"b", R"(
start: top
nodes:
  top:
    say: "top"
    next: middle
  middle:
    say: "You feel {{mood|fine}}."
    next: stop
  stop: { end: true }
)"}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  auto out = interpreter.start(state, "a", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"You feel calm."});
  CHECK(state.onboarded);
  CHECK(state.idle());
}

TEST_CASE("interject answers and comes back to the question without asking it again: the answer carries its choices",
          "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "main", {}, rng);
  auto out = interpreter.interject(state, "breathe", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"Breathe in.", "Breathe out."});  // not "How are you?" again
  CHECK(out.replies.back().choices == std::vector<core::Choice>{{"good", "Good"}, {"bad", "Not great"}});
  CHECK(state.node == "feel");
  CHECK(state.waiting);
  CHECK(state.stack.empty());
  out = interpreter.answer(state, "", "good", {}, rng);  // the question is still the open one
  CHECK(texts(out).front() == "Glad to hear it.");
  // The same after a restart: where the question waits is part of the stored state.
  DialogState stored;
  interpreter.start(stored, "main", {}, rng);
  stored.stack.push_back({"main", "feel", true});
  CHECK(DialogState::from_json(stored.to_json()).stack.back().quiet);
}

TEST_CASE("at a home question (the menu) a command's answer comes without its buttons", "[interpreter]") {
  auto set = make_set({{"menu", R"(
start: menu
home: true
nodes:
  menu:
    ask: "What would you like to work on?"
    choices:
      - { id: a, label: "A", next: done }
      - { id: b, label: "B", next: done }
  done:
    end: true
)"},
                       {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "menu", {}, rng);
  auto out = interpreter.interject(state, "breathe", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"Breathe in.", "Breathe out."});
  CHECK(out.replies.back().choices.empty());
  CHECK(state.node == "menu");
  CHECK(state.waiting);  // a tap on an older menu button still answers it
}

TEST_CASE("an interjection that says nothing asks the open question again", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}, {"silent", "start: back\nnodes:\n  back:\n    return: true\n"}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "main", {}, rng);
  auto out = interpreter.interject(state, "silent", {}, rng);
  CHECK(texts(out) == std::vector<std::string>{"How are you?"});
}

TEST_CASE("a loop without a question ends instead of spinning, and check names it", "[interpreter]") {
  dialog::DialogSet set;
  std::vector<dialog::Diagnostic> diagnostics;
  set.trees.emplace("loop", dialog::parse_dialog(R"(
start: a
nodes:
  a: { goto: b }
  b: { goto: a }
)", "loop.yaml", diagnostics));
  dialog::check_dialogs(set, diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK_THAT(diagnostics[0].to_string(), Catch::Contains("loop.a -> loop.b -> loop.a"));
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  auto out = interpreter.start(state, "loop", {}, rng);
  CHECK(out.replies.empty());
  CHECK(state.idle());
}

TEST_CASE("a position that a reload removed is reported", "[interpreter]") {
  auto set = make_set({{"main", kMain}, {"breathe", kBreathe}});
  dialog::Interpreter interpreter(set);
  DialogState state;
  state.tree = "main";
  state.node = "gone";
  state.waiting = true;
  CHECK_FALSE(interpreter.position_valid(state));
  state.node = "feel";
  CHECK(interpreter.position_valid(state));
}

TEST_CASE("a call/return loop without a question ends at the step cap, counted across calls, not in a stack overflow",
          "[interpreter]") {
  // What check refuses (tests/fixtures/dialogs/broken/call_cycle.yaml), run anyway.
  dialog::DialogSet set;
  std::vector<dialog::Diagnostic> diagnostics;
  set.trees.emplace("loop", dialog::parse_dialog(R"(
start: again
nodes:
  again:
    say: "One more time."
    next: breathe
  breathe:
    call: loop.pause
    next: again
  pause:
    return: true
)", "loop.yaml", diagnostics));
  REQUIRE(diagnostics.empty());
  dialog::check_dialogs(set, diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK_THAT(diagnostics[0].message, Catch::Contains("comes back to itself without asking"));

  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  auto out = interpreter.start(state, "loop", {}, rng);
  CHECK(out.steps > 0);
  CHECK(out.steps <= 201);  // the cap holds across the calls (it restarted on each before)
  CHECK(out.replies.size() < 100);
  CHECK(state.stack.empty());
}

TEST_CASE("home is true or false, anything else is an error at its line", "[interpreter][loader]") {
  std::vector<dialog::Diagnostic> diagnostics;
  auto tree = dialog::parse_dialog("start: a\nhome: maybe\nnodes:\n  a:\n    end: true\n", "m.yaml", diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].to_string() == "m.yaml:2:7: error: home must be true or false");
  diagnostics.clear();
  CHECK(dialog::parse_dialog("start: a\nhome: true\nnodes:\n  a:\n    end: true\n", "m.yaml", diagnostics).home);
  CHECK(diagnostics.empty());
}

TEST_CASE("an id of several words may be typed as words: not_yet as \"not yet\"", "[interpreter]") {
  auto set = make_set({{"q", R"(
start: moved
nodes:
  moved:
    ask: "Did you move your body today?"
    choices:
      - { id: yes, label: "Yes, I moved", next: good }
      - { id: not_yet, label: "Not moved yet", next: later }
  good:
    say: "Good."
    next: done
  later:
    say: "Later then."
    next: done
  done:
    end: true
)"}});
  dialog::Interpreter interpreter(set);
  dialog::VariantRng rng(1);
  for (const char* typed : {"not yet", "Not Yet", "not_yet"}) {
    DialogState state;
    interpreter.start(state, "q", {}, rng);
    INFO(typed);
    CHECK(texts(interpreter.answer(state, typed, "", {}, rng)).front() == "Later then.");
  }
  DialogState state;
  interpreter.start(state, "q", {}, rng);
  CHECK(texts(interpreter.answer(state, "yes", "", {}, rng)).front() == "Good.");
}

TEST_CASE("a question with choices may also take typed words as its answer: the next step typed at 'another?'",
          "[interpreter]") {
  auto set = make_set({{"q", R"(
start: more
nodes:
  more:
    ask: "Is there another step?"
    text: step
    next: save
    choices:
      - { id: another, label: "Yes, add another step", next: ask_step }
      - { id: enough, label: "No, that's enough", next: done_now }
  ask_step:
    ask: "What's the next step?"
    text: step
    next: save
  save:
    say: "Added: {{step}}."
    next: done_now
  done_now:
    end: true
)"}});
  dialog::Interpreter interpreter(set);
  dialog::VariantRng rng(1);
  auto typed = [&](const std::string& words) {
    DialogState state;
    interpreter.start(state, "q", {}, rng);
    return texts(interpreter.answer(state, words, "", {}, rng));
  };
  CHECK(typed("send two applications") == std::vector<std::string>{"Added: send two applications."});
  // The choices come first: their labels, ids and everyday yes and no.
  CHECK(typed("yeah") == std::vector<std::string>{"What's the next step?"});
  CHECK(typed("nope").empty());  // "No, that's enough": the end
  CHECK(typed("2").empty());
  DialogState state;
  interpreter.start(state, "q", {}, rng);
  CHECK(texts(interpreter.answer(state, "", "another", {}, rng)) == std::vector<std::string>{"What's the next step?"});
}

TEST_CASE("typed words with choices need a next: to go on to", "[interpreter][loader]") {
  std::vector<dialog::Diagnostic> diagnostics;
  dialog::parse_dialog(R"(
start: more
nodes:
  more:
    ask: "Is there another step?"
    text: step
    choices:
      - { id: another, label: "Yes", next: more }
)",
                       "q.yaml", diagnostics);
  REQUIRE(diagnostics.size() == 1);
  CHECK(diagnostics[0].to_string() == "q.yaml:6:11: error: typed words kept as {{step}} need a next: to go on to");
}

TEST_CASE("typed words beside choices are checked like a written answer: a country code, or said how to write it",
          "[interpreter]") {
  auto set = make_set({{"q", R"(
start: ask
nodes:
  ask:
    ask: "Which country are you in?"
    text: country
    validate: country
    invalid: "Just the two-letter code, like DE."
    next: thanks
    choices:
      - { id: skip, label: "Skip", next: thanks }
  thanks:
    say: "Thanks ({{country}})."
    next: done
  done:
    end: true
)"}});
  dialog::Interpreter interpreter(set);
  dialog::VariantRng rng(1);
  DialogState state;
  interpreter.start(state, "q", {}, rng);
  auto wrong = interpreter.answer(state, "Atlantis", "", {}, rng);
  REQUIRE(wrong.replies.size() == 1);
  CHECK_THAT(wrong.replies[0].text, Catch::StartsWith("Just the two-letter code, like DE.") && Catch::Contains("Which country"));
  CHECK(wrong.replies[0].choices.size() == 1);  // the skip button again
  CHECK(texts(interpreter.answer(state, " de ", "", {}, rng)) == std::vector<std::string>{"Thanks (DE)."});
  CHECK(dialog::validate_answer("country", "br") == "BR");
  // A country's name, in English or its own language, is as good as its code.
  CHECK(dialog::validate_answer("country", "Germany") == "DE");
  CHECK(dialog::validate_answer("country", "I live in Brasil") == "BR");
  CHECK(dialog::validate_answer("country", "the Netherlands.") == "NL");
  CHECK_FALSE(dialog::validate_answer("country", "Atlantis"));
  CHECK_FALSE(dialog::validate_answer("country", "b1"));
  CHECK_FALSE(dialog::validate_answer("country", "bra"));
}
