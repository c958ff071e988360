// Typed words where choices are expected: a yes/no word, an intent the node routes, a
// choice the intent fits, and "not sure" with at most three suggestions.
#include <catch2/catch.hpp>

#include <map>

#include "bot/dialog/dialog_checker.hpp"
#include "bot/dialog/dialog_loader.hpp"
#include "bot/dialog/interpreter.hpp"

using namespace bounceback;
using dialog::DialogState;

namespace {

// Answers from a table: the classifier's part is tested with the real model elsewhere.
class TableUnderstanding : public dialog::Understanding {
 public:
  explicit TableUnderstanding(std::map<std::string, std::vector<dialog::IntentGuess>> table) : table_(std::move(table)) {}
  std::vector<dialog::IntentGuess> guess(std::string_view text, int count) const override {
    auto it = table_.find(std::string(text));
    if (it == table_.end()) return {};
    auto out = it->second;
    if (out.size() > static_cast<std::size_t>(count)) out.resize(static_cast<std::size_t>(count));
    return out;
  }

 private:
  std::map<std::string, std::vector<dialog::IntentGuess>> table_;
};

const char* kHome = R"(
start: menu
nodes:
  menu:
    ask: "What would you like to work on?"
    on_intent:
      sad: feel_sad
    choices:
      - { id: accept, label: "Accept", next: picked, intents: [sad, loss] }
      - { id: care, label: "Look after myself", next: picked, intents: [tired] }
      - { id: steps, label: "One step at a time", next: picked, intents: [overwhelmed, work_study] }
      - { id: help, label: "Reach out", next: picked, intents: [lonely] }
      - { id: settings, label: "Settings", next: picked }
  feel_sad:
    say: "Feeling low is heavy to carry."
    next: done
  picked:
    say: "Picked."
    next: done
  drank:
    ask: "Did you drink some water today?"
    choices:
      - { id: yes, label: "Yes, I did", next: picked }
      - { id: not_yet, label: "Not yet", next: done }
  done:
    end: true
)";

dialog::DialogSet make_set(std::shared_ptr<const dialog::Understanding> understanding) {
  dialog::DialogSet set;
  std::vector<dialog::Diagnostic> diagnostics;
  set.trees.emplace("home", dialog::parse_dialog(kHome, "home.yaml", diagnostics));
  set.trees["home"].entries = {"drank"};
  dialog::check_dialogs(set, diagnostics);
  for (const auto& d : diagnostics) FAIL_CHECK(d.to_string());
  set.understanding = std::move(understanding);
  return set;
}

std::vector<std::string> ids(const core::Reply& reply) {
  std::vector<std::string> out;
  for (const auto& c : reply.choices) out.push_back(c.id);
  return out;
}

}  // namespace

TEST_CASE("a feeling typed at a question goes where on_intent sends it", "[understanding]") {
  auto set = make_set(std::make_shared<TableUnderstanding>(
      std::map<std::string, std::vector<dialog::IntentGuess>>{{"rough week honestly", {{"sad", 0.9}, {"tired", 0.05}}}}));
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "home", {}, rng);
  auto out = interpreter.answer(state, "rough week honestly", "", {}, rng);
  REQUIRE(out.replies.size() == 1);
  CHECK(out.replies[0].text == "Feeling low is heavy to carry.");
}

TEST_CASE("an intent a choice fits takes that choice", "[understanding]") {
  auto set = make_set(std::make_shared<TableUnderstanding>(
      std::map<std::string, std::vector<dialog::IntentGuess>>{{"my boss again", {{"work_study", 0.8}}}}));
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "home", {}, rng);
  auto out = interpreter.answer(state, "my boss again", "", {}, rng);
  REQUIRE_FALSE(out.replies.empty());
  CHECK(out.replies[0].text == "Picked.");
}

TEST_CASE("not understood: an honest word and at most three choices from the best guesses", "[understanding]") {
  auto set = make_set(std::make_shared<TableUnderstanding>(std::map<std::string, std::vector<dialog::IntentGuess>>{
      {"hmm things", {{"lonely", 0.3}, {"tired", 0.25}, {"overwhelmed", 0.2}}},
      {"blorp", {{"thanks", 0.2}}},
      {"lol", {{"unclear", 0.6}, {"lonely", 0.2}}}}));
  dialog::Interpreter interpreter(set);
  DialogState state;
  dialog::VariantRng rng(1);
  interpreter.start(state, "home", {}, rng);
  auto out = interpreter.answer(state, "hmm things", "", {}, rng);
  REQUIRE(out.replies.size() == 1);
  CHECK_THAT(out.replies[0].text, Catch::Contains("not sure I followed"));
  CHECK(ids(out.replies[0]) == std::vector<std::string>{"help", "care", "steps"});  // in the guesses' order
  CHECK(state.waiting);
  CHECK(state.node == "menu");
  // A suggestion tapped is the question's own choice.
  out = interpreter.answer(state, "", "care", {}, rng);
  CHECK(out.replies.at(0).text == "Picked.");

  // Guesses that fit no choice: no buttons, never the whole menu.
  interpreter.start(state, "home", {}, rng);
  out = interpreter.answer(state, "blorp", "", {}, rng);
  REQUIRE(out.replies.size() == 1);
  CHECK(out.replies[0].choices.empty());
  CHECK_THAT(out.replies[0].text, Catch::Contains("another way"));

  // A guess below one that fits nothing is noise, not a hint.
  interpreter.start(state, "home", {}, rng);
  out = interpreter.answer(state, "lol", "", {}, rng);
  REQUIRE(out.replies.size() == 1);
  CHECK(out.replies[0].choices.empty());
}

TEST_CASE("yes and no in everyday words answer a yes/no question", "[understanding]") {
  auto set = make_set(nullptr);  // close wording needs no classifier
  dialog::Interpreter interpreter(set);
  dialog::VariantRng rng(1);
  for (const char* typed : {"yeah", "Yep!", "i did", "yep did a walk", "yes, a short one"}) {
    DialogState state;
    interpreter.start(state, "home", {}, rng, "drank");
    auto out = interpreter.answer(state, typed, "", {}, rng);
    CHECK(out.replies.at(0).text == "Picked.");
  }
  for (const char* typed : {"nope", "not really", "nah", "not really, I've been in bed most of the day", "nah too tired"}) {
    DialogState state;
    interpreter.start(state, "home", {}, rng, "drank");
    auto out = interpreter.answer(state, typed, "", {}, rng);
    CHECK(out.replies.empty());  // not_yet: the conversation ends quietly
    CHECK_FALSE(state.waiting);
  }
  // "no idea" is no "no": only a first word that can be nothing else counts alone.
  DialogState state;
  interpreter.start(state, "home", {}, rng, "drank");
  auto out = interpreter.answer(state, "no idea what you mean", "", {}, rng);
  CHECK(state.node == "drank");
  CHECK(out.replies.back().choices.size() == 2);  // asked again
}

TEST_CASE("on_intent and intents are read from YAML and their targets checked", "[understanding]") {
  std::vector<dialog::Diagnostic> diagnostics;
  dialog::DialogSet set;
  set.trees.emplace("t", dialog::parse_dialog(R"(
start: q
nodes:
  q:
    ask: "Which?"
    on_intent: { sad: nowhere }
    choices:
      - { id: a, label: "A", next: q, intents: sad }
)",
                                              "t.yaml", diagnostics));
  dialog::check_dialogs(set, diagnostics);
  std::string all;
  for (const auto& d : diagnostics) all += d.to_string() + "\n";
  CHECK_THAT(all, Catch::Contains("t.yaml:8:") && Catch::Contains("intents must be a list"));
  CHECK_THAT(all, Catch::Contains("t.yaml:6:") && Catch::Contains("on_intent 'sad'"));
}

// ---- the examples folder, its model, and the checks that keep them in step ----

#include <filesystem>
#include <fstream>

#include "bot/app/dialog_files.hpp"
#include "bot/understand/intent_classifier.hpp"
#include "bot/understand/intent_examples.hpp"
#include "bot/understand/intent_trainer.hpp"

namespace {

struct ExamplesFolder {
  std::filesystem::path path;
  ExamplesFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bb-understand-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path = pattern;
    std::filesystem::create_directory(path / "understand");
  }
  ~ExamplesFolder() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
  std::string all_problems(const std::vector<std::string>& paths) const {
    std::string out;
    for (const auto& d : app::check_dialog_paths(paths)) out += d.to_string() + "\n";
    return out;
  }
};

const char* kRoutes = R"(
start: q
nodes:
  q:
    ask: "Which?"
    on_intent: { sad: done, happy: done }
    choices:
      - { id: a, label: "A", next: done, intents: [cheery] }
  done:
    end: true
)";

}  // namespace

TEST_CASE("check knows the intent names and keeps the model in step with its examples", "[understanding]") {
  ExamplesFolder dir;
  dir.write("t.yaml", kRoutes);
  dir.write("understand/sad.txt", "# feeling low\nso sad today\nfeeling down\ncrying a lot\n");
  dir.write("understand/tired.txt", "so tired\nexhausted\nno energy at all\n");
  std::string file = (dir.path / "t.yaml").string();
  std::string problems = dir.all_problems({file});
  CHECK_THAT(problems, Catch::Contains("t.yaml:6:") && Catch::Contains("unknown intent 'happy'"));
  CHECK_THAT(problems, Catch::Contains("unknown intent 'cheery'"));
  CHECK_THAT(problems, !Catch::Contains("'sad'"));

  // The folder as a whole: the model is missing.
  dir.write("t.yaml", R"(
start: q
nodes:
  q:
    ask: "Which?"
    on_intent: { sad: done }
    choices:
      - { id: a, label: "A", next: done }
  done:
    end: true
)");
  auto loaded = app::load_daemon_dialogs(dir.path.string());
  std::string all;
  for (const auto& d : loaded.diagnostics) all += d.to_string() + "\n";
  CHECK_THAT(all, Catch::Contains("model.ftz") && Catch::Contains("missing: run bounceback understand-train"));
  CHECK_FALSE(loaded.set.understanding);

  // Trained: fresh, attached, and it reads.
  auto folder = (dir.path / "understand").string();
  CHECK_THAT(understand::train_intent_model(folder), Catch::Contains("from 6 examples of 2 intents"));
  CHECK_FALSE(understand::model_problem(folder));
  loaded = app::load_daemon_dialogs(dir.path.string());
  REQUIRE(loaded.set.understanding);
  CHECK(loaded.set.understanding->guess("so tired", 2).size() == 2);
  CHECK(loaded.set.understanding->guess("?! ...", 2).empty());  // no words: nothing to read

  // An example changed after training: stale, and the daemon would not take it.
  dir.write("understand/tired.txt", "so tired\nexhausted\nno energy at all\nwiped out\n");
  auto stale = understand::model_problem(folder);
  REQUIRE(stale);
  CHECK_THAT(stale->message, Catch::Contains("older than its examples"));
  // A damaged model file.
  understand::train_intent_model(folder);
  dir.write("understand/model.ftz", "not a model");
  CHECK_THAT(understand::model_problem(folder)->message, Catch::Contains("damaged"));
  CHECK_THROWS_WITH(understand::IntentClassifier::load(folder + "/model.ftz"), Catch::Contains("not a usable understanding model"));
  CHECK_THROWS_WITH(understand::IntentClassifier::load(folder + "/none.ftz"), Catch::Contains("missing"));
}

TEST_CASE("intent examples: names, empty files and a line in two files are reported where they are", "[understanding]") {
  ExamplesFolder dir;
  dir.write("understand/Sad Face.txt", "sad\n");
  dir.write("understand/empty.txt", "# nothing yet\n");
  dir.write("understand/low.txt", "feeling down\n");
  dir.write("understand/blue.txt", "# comment\nfeeling down\n");
  std::vector<core::Diagnostic> problems;
  auto examples = understand::read_intent_examples((dir.path / "understand").string(), problems);
  std::string all;
  for (const auto& d : problems) all += d.to_string() + "\n";
  CHECK_THAT(all, Catch::Contains("Sad Face.txt:1:1: error: \"Sad Face\" is not an intent name"));
  CHECK_THAT(all, Catch::Contains("empty.txt:1:1: error: no examples"));
  CHECK_THAT(all, Catch::Contains("low.txt:1:1: error: this example is also in") && Catch::Contains("blue.txt:2"));
  CHECK(examples.intents == std::vector<std::string>{"blue"});

  std::vector<core::Diagnostic> held_problems;
  dir.write("held.tsv", "sad\tso low\nno tab here\n");
  auto held = understand::read_labelled_file((dir.path / "held.tsv").string(), held_problems);
  CHECK(held.size() == 1);
  REQUIRE(held_problems.size() == 1);
  CHECK_THAT(held_problems[0].to_string(), Catch::Contains("held.tsv:2:1: error: a line is INTENT<TAB>TEXT"));
}

TEST_CASE("a person's name to greet them by: 'my sister Marta' is Marta, 'my mum' is Mum", "[interpreter]") {
  CHECK(dialog::validate_answer("person", "my sister Marta") == "Marta");
  CHECK(dialog::validate_answer("person", "My best friend Jo") == "Jo");
  CHECK(dialog::validate_answer("person", "my mum") == "Mum");
  CHECK(dialog::validate_answer("person", "Sam") == "Sam");
  CHECK(dialog::validate_answer("person", "my sisterhood group") == "Sisterhood group");  // not "sister" + "hood"
  CHECK_FALSE(dialog::validate_answer("person", "  "));
}

TEST_CASE("what to call the person: 'my name is Priya' is Priya, a greeting or a question is asked again", "[interpreter]") {
  CHECK(dialog::validate_answer("name", "my name is Priya") == "Priya");
  CHECK(dialog::validate_answer("name", "call me J") == "J");
  CHECK(dialog::validate_answer("name", "I'm Sam!") == "Sam");
  CHECK(dialog::validate_answer("name", "Mira") == "Mira");
  CHECK_FALSE(dialog::validate_answer("name", "why do you need my name?"));
  CHECK_FALSE(dialog::validate_answer("name", "hi"));
  CHECK_FALSE(dialog::validate_answer("name", "I'd rather not say"));
}

TEST_CASE("an offset typed as GMT+1 means an hour ahead of UTC, not the tz database's Etc/GMT+1", "[interpreter]") {
  CHECK(dialog::validate_answer("timezone", "GMT+1") == "Etc/GMT-1");
  CHECK(dialog::validate_answer("timezone", "utc -5") == "Etc/GMT+5");
  CHECK(dialog::validate_answer("timezone", "UTC+10:00") == "Etc/GMT-10");
  CHECK(dialog::validate_answer("timezone", "GMT+0") == "Etc/UTC");
  CHECK_FALSE(dialog::validate_answer("timezone", "UTC+5:30"));  // no Etc zone: a city is asked for
  CHECK(dialog::validate_answer("timezone", "Europe/Berlin") == "Europe/Berlin");
}
