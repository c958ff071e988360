// The safety screen's parts: stems, concept rules and the contexts that lower them, the
// classifier's thresholds, the previous message, languages, and check's errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "bot/safety/safety_policy.hpp"
#include "bot/safety/safety_responder.hpp"
#include "bot/safety/safety_screen.hpp"
#include "bot/safety/safety_trainer.hpp"
#include "bot/safety/stemmer.hpp"
#include "bot/safety/text_normalizer.hpp"

using namespace bounceback;
using Kind = safety::ScreenResult::Kind;

namespace {

safety::SafetyPolicy shipped(bool with_classifier) {
  std::vector<core::Diagnostic> diagnostics;
  auto policy = safety::load_safety_policy(BOUNCEBACK_SOURCE_DIR "/config/safety/en.yaml", diagnostics);
  for (const auto& d : diagnostics) FAIL_CHECK(d.to_string());
  if (!with_classifier) policy.classifier.reset();
  return policy;
}

std::vector<std::string> messages_of(const std::vector<core::Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const auto& d : diagnostics) out.push_back(d.to_string());
  return out;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bb-safety-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()));
    path = pattern;
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("Snowball stems cover word forms, per language, then Polish is left as written", "[safety][stem]") {
  CHECK(safety::stem_word("ending", "en") == "end");
  CHECK(safety::stem_word("ended", "en") == "end");
  CHECK(safety::stem_word("killed", "en") == "kill");
  CHECK(safety::stem_word("killing", "en") == "kill");
  CHECK(safety::stem_word("umbringen", "de") == safety::stem_word("umbringe", "de"));
  CHECK(safety::stem_word("morir", "es") == safety::stem_word("morirme", "es").substr(0, 4));
  CHECK_FALSE(safety::has_stemmer("pl"));
  CHECK(safety::stem_word("zabije", "pl") == "zabije");
  // Stretched letters are read once before stemming, so the stemmer sees a word it knows.
  auto t = safety::normalize_and_stem("I'm ENDIIIING it", "en");
  CHECK(t.words == std::vector<std::string>{"im", "ending", "it"});
  CHECK(t.stems[1] == "end");
}

TEST_CASE("word forms: one entry covers killed, ending, ended", "[safety][stem]") {
  auto policy = shipped(false);
  safety::SafetyScreen screen(policy);
  CHECK(screen.screen("I nearly killed myself last night").crisis());
  CHECK(screen.screen("i'm ending it all tonight").crisis());
  CHECK(screen.screen("thinking about ending my life").crisis());
}

TEST_CASE("every shipped rule fires on its own concepts", "[safety][rules]") {
  auto policy = shipped(false);
  safety::SafetyScreen screen(policy);
  struct Case {
    const char* text;
    const char* rule;
    Kind kind;
  };
  const Case cases[] = {
      {"they talk about suicide on the news all the time and it gets to me", "suicide_word", Kind::crisis},
      {"im going to end it tonight", "self_death_intent", Kind::crisis},
      {"sometimes i think about how i could stop existing", "death_act_said", Kind::ask},
      {"the bridge would be quick, i want to be gone", "means_and_intent", Kind::crisis},
      {"i have saved up my pills in a drawer", "means_prepared", Kind::ask},
      {"i have a rope in the car this weekend", "means_tonight", Kind::ask},
      {"took a whole box of tablets an hour ago", "overdose_taken", Kind::crisis},
      {"drank half a bottle of vodka and took sleeping pills", "substance_with_pills", Kind::crisis},
      {"goodbye everyone. please give away my things", "farewell_giving_away", Kind::crisis},
      {"this is my last message. there is no way out", "farewell_final", Kind::crisis},
      {"i wrote a letter for my mum. by the time you read it", "preparation_done", Kind::crisis},
      {"i want everything to stop", "passive_wish", Kind::ask},
      {"i feel like such a burden to everyone", "hopeless_self", Kind::ask},
      {"i scratched myself again", "self_harm_act", Kind::ask},
      {"i will cut myself tonight", "self_harm_now", Kind::crisis},
      {"my brother is turning blue", "someone_unresponsive", Kind::crisis},
      {"my roommate swallowed too many of her meds", "someone_overdosed", Kind::crisis},
      {"he choked me last night", "danger_from_others", Kind::crisis},
      {"i am going to stab him when he comes home", "harm_others", Kind::crisis},
  };
  std::set<std::string> tested;
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = screen.screen(c.text);
    CHECK_THAT(r.rules_fired, Catch::VectorContains(std::string(c.rule)));
    CHECK(r.kind >= c.kind);  // another rule or phrase may answer more strongly
    tested.insert(c.rule);
  }
  for (const auto& rule : policy.rules) {
    INFO("no case for the rule " << rule.id);
    CHECK(tested.count(rule.id) == 1);
  }
}

TEST_CASE("what a coach hears every day sets off no rule: proud of myself, sadness that hits, taking care", "[safety][rules]") {
  // Squeezed letters made "off myself" read as "of myself", and "it hit me" read as
  // someone hitting: "I'm proud of myself" was asked about suicide, a sad person got the
  // crisis reply.
  auto policy = shipped(false);
  safety::SafetyScreen screen(policy);  // holds the policy by reference
  for (const char* text : {"i'm proud of myself", "im so prowd of myself", "i want to take care of myself today",
                           "sadness just hit me out of nowhere", "it's all hitting me at once and i'm stuck",
                           "my grandmother's passing has hit me harder than i thought",
                           "feel like a cloud is following me around"}) {
    INFO(text);
    CHECK(screen.screen(text).kind == Kind::none);
  }
  // The slang and the danger are still heard.
  CHECK(screen.screen("i want to off myself").crisis());
  CHECK(screen.screen("my dad hits me when he drinks").crisis());
  CHECK(screen.screen("someone is following me home").crisis());
}

TEST_CASE("contexts that lower: a past that is over, teaching, fiction, jokes, then never intent now", "[safety][lowering]") {
  auto policy = shipped(false);
  safety::SafetyScreen screen(policy);
  // Each context lowers ...
  CHECK(screen.screen("years ago i wanted to kill myself, i got better").kind == Kind::none);
  CHECK(screen.screen("i did a suicide prevention training at work").kind == Kind::none);
  CHECK(screen.screen("in the movie the character wants to end his life").kind == Kind::none);
  CHECK(screen.screen("i have saved up my pills lol").kind == Kind::none);
  // ... and the same words without it do not.
  CHECK(screen.screen("i want to kill myself").crisis());
  CHECK(screen.screen("i have saved up my pills").asks());
  // Explicit intent now is never lowered: not by a past, not by a course.
  CHECK(screen.screen("i used to cope, but tonight i am going to kill myself").crisis());
  CHECK(screen.screen("after the training course i want to end my life").crisis());
  // A joke lowers rules that are not explicit, never the phrase lists.
  CHECK(screen.screen("lol i want to kill myself").crisis());
  for (const auto& l : policy.lowerings)
    CHECK((l.id == "past" || l.id == "education" || l.id == "fiction" || l.id == "joke" || l.id == "model_context"));
}

TEST_CASE("the classifier's thresholds, and lower ones after a crisis", "[safety][classifier]") {
  auto policy = shipped(true);
  REQUIRE(policy.classifier);
  const std::string message = "everything is grey and heavy and i dont see how it gets better";
  double risk = safety::SafetyScreen(policy).screen(message).risk;
  REQUIRE(risk > 0.02);
  // Thresholds set around this message's risk: above it, nothing; after a crisis, below it, ask.
  policy.thresholds = {0.999, std::min(0.999, risk + 0.01), 1.0};
  policy.after_crisis = {0.999, risk - 0.01, 1.0};
  safety::SafetyScreen screen(policy);
  CHECK(screen.screen(message).kind == Kind::none);
  safety::ScreenContext after;
  after.after_crisis = true;
  auto r = screen.screen(message, after);
  CHECK(r.kind == Kind::ask);
  CHECK(r.reason == "classifier");
}

TEST_CASE("the shipped classifier asks where the lists find nothing, never on too few words or a command's name",
          "[safety][classifier]") {
  auto policy = shipped(true);
  REQUIRE(policy.classifier);
  REQUIRE(policy.thresholds.ask < 1);
  safety::SafetyScreen with_model(policy);
  auto lists = shipped(false);
  safety::SafetyScreen lists_only(lists);
  // Said without a word the lists know: the model hears it.
  const std::string veiled = "i have been giving my things to my sister and sorting out who gets the dog";
  CHECK(lists_only.screen(veiled).kind == Kind::none);
  auto r = with_model.screen(veiled);
  CHECK(r.kind >= Kind::ask);
  CHECK(r.reason == "classifier");
  // Everyday words to the coach are not asked about.
  for (const char* text : {"i love my life", "whether they hire me", "i'm proud of myself", "i finished the dishes",
                           "bye for now, thanks for listening"}) {
    INFO(text);
    CHECK(with_model.screen(text).kind == Kind::none);
  }
  // Too few words to go on, or only a command and a time: the model does not answer.
  for (const char* text : {"goodbye", "/checkin 25:00", "/journal"}) {
    INFO(text);
    auto few = with_model.screen(text);
    CHECK_FALSE(few.classifier_may_answer);
    CHECK(few.kind == Kind::none);
  }
  // A command's text is screened all the same.
  CHECK(with_model.screen("/journal i have been giving my things to my sister and sorting out who gets the dog").kind >= Kind::ask);
}

TEST_CASE("asked about danger, not suicide, when the danger is from or to someone else, and someone else now is not asked",
          "[safety][classifier]") {
  auto policy = shipped(true);
  safety::SafetyResponder responder(policy);
  CHECK_THAT(responder.ask("", "abuse_danger").text, Catch::Contains("in danger right now"));
  CHECK_THAT(responder.ask("", "harm_others").text, Catch::Contains("in danger right now"));
  CHECK_THAT(responder.ask("de", "abuse_danger").text, Catch::Contains("in Gefahr"));
  CHECK_THAT(responder.ask("", "suicide_self_harm").text, Catch::Contains("ending your life"));
  CHECK(responder.ask("", "abuse_danger").choices.size() == 3);
  // The model's someone_else gets the emergency number at once.
  policy.rules.clear();
  for (auto& lang : policy.languages) lang.category_phrases.clear();
  policy.thresholds.ask = 0.5;
  safety::SafetyScreen screen(policy);
  auto r = screen.screen("my roommate is lying on the bathroom floor and i can't get him to respond");
  CHECK(r.category == "someone_else");
  CHECK(r.kind == Kind::crisis);
}

TEST_CASE("the model lowers the lists where it reads a past that is over, or someone else safe, in enough words",
          "[safety][lowering]") {
  auto policy = shipped(true);
  safety::SafetyScreen screen(policy);
  // The phrase list alone would answer these with the crisis reply.
  auto lists = shipped(false);
  safety::SafetyScreen lists_only(lists);
  const std::string cousin = "my cousin thought about suicide a few years back, she is in therapy now and doing really well";
  REQUIRE(lists_only.screen(cousin).crisis());
  CHECK(screen.screen(cousin).kind == Kind::none);
  // One word is no context, and intent now is never lowered.
  CHECK(screen.screen("suicide").crisis());
  CHECK(screen.screen("my therapist used to say it gets better but tonight im going to kill myself").crisis());
}

TEST_CASE("the previous message is read with the new one, and only what they add counts", "[safety][context]") {
  auto policy = shipped(false);
  safety::SafetyScreen screen(policy);
  CHECK(screen.screen("I have the tablets here").kind == Kind::none);
  CHECK(screen.screen("tonight").kind == Kind::none);
  safety::ScreenContext context;
  context.previous = "I have the tablets here.";
  auto r = screen.screen("tonight", context);
  CHECK(r.asks());
  CHECK(r.via_context);
  // A previous message that was itself the crisis does not make the next one one.
  context.previous = "i want to kill myself";
  CHECK(screen.screen("thanks for the numbers", context).kind == Kind::none);
}

TEST_CASE("a word or two before, an answer to the coach, is not read with the next message", "[safety][context]") {
  // "no" (to quiet hours), then a sleep worry: together the model read a wish not to wake up.
  auto policy = shipped(true);
  safety::SafetyScreen screen(policy);
  safety::ScreenContext context;
  for (const char* before : {"no", "ok thanks", "Europe/Berlin"}) {
    context.previous = before;
    INFO(before);
    CHECK(screen.screen("sleep mostly, I keep waking up at 4", context).kind == Kind::none);
  }
  // Three words or more are still read with what follows.
  context.previous = "I have the tablets here";
  CHECK(screen.screen("tonight", context).kind >= Kind::ask);
}

TEST_CASE("the language of a message picks the replies, then resources and the emergency number follow the country",
          "[safety][language]") {
  auto policy = shipped(false);
  safety::SafetyScreen screen(policy);
  CHECK(screen.language_of("ich will nicht mehr leben, es ist alles zu viel") == "de");
  CHECK(screen.language_of("no quiero seguir viviendo, ya no puedo más") == "es");
  CHECK(screen.language_of("i can't do this anymore") == "en");
  CHECK(screen.language_of("ok") == "en");
  // A tie with English goes to the other language: English's lists are read anyway.
  CHECK(screen.language_of("me corto los brazos otra vez") == "es");
  CHECK(screen.screen("me corto los brazos otra vez").kind >= Kind::ask);
  auto de = screen.screen("ich will mich umbringen");
  CHECK(de.crisis());
  CHECK(de.language == "de");

  safety::SafetyResponder responder(policy);
  auto reply = responder.crisis("DE", "de");
  CHECK(reply.text != responder.crisis("DE").text);
  CHECK_THAT(reply.text, Catch::Contains("TelefonSeelsorge"));
  CHECK(reply.choices.at(0).id == "safety.contacts:de");
  CHECK(safety::SafetyResponder::is_safety_choice("safety.yes:de"));
  CHECK_FALSE(safety::SafetyResponder::is_safety_choice("safety.maybe"));
  // Someone else in danger: the emergency number first, in one line.
  auto other = responder.someone_else("DE");
  CHECK(other.text.rfind("Call 112 now", 0) == 0);
  CHECK_THAT(responder.someone_else("").text, Catch::StartsWith("Call your local emergency number"));
  // Every country has one emergency entry with a number; at least 30 countries.
  int countries = 0;
  for (const auto& [country, list] : policy.resources) {
    if (country == "international") continue;
    ++countries;
    INFO(country);
    CHECK(std::count_if(list.begin(), list.end(), [](const safety::CrisisResource& r) { return r.emergency; }) == 1);
  }
  CHECK(countries >= 30);
}

TEST_CASE("check: an unknown concept, an empty lexicon, a rule that can never fire, with FILE:LINE:COL",
          "[safety][check]") {
  std::string path = BOUNCEBACK_SOURCE_DIR "/tests/fixtures/safety/rules/broken_rules.yaml";
  std::vector<core::Diagnostic> diagnostics;
  safety::load_safety_policy(path, diagnostics);
  auto text = messages_of(diagnostics);
  CHECK_THAT(text, Catch::VectorContains(path + ":22:3: error: lexicon 'means' is empty"));
  CHECK_THAT(text, Catch::VectorContains(path + ":25:5: error: 'typo_concept' names the concept 'intnet', which no lexicon defines"));
  CHECK_THAT(text, Catch::VectorContains(path + ":26:5: error: rule 'never' can never fire: 'intent' is both needed and excluded"));
  CHECK_THAT(text, Catch::VectorContains(path + ":27:75: error: answer: crisis or ask"));
  // A context the classifier reads: a probability, and a number of words.
  CHECK_THAT(text, Catch::VectorContains(path + ":29:35: error: classifier: a probability above 0, at most 1"));
  CHECK_THAT(text, Catch::VectorContains(path + ":29:51: error: min_words: a number of words, 0 or more"));
  // The classifier answers alone only on a message of at least min_words words, 1 to 50.
  CHECK_THAT(text, Catch::VectorContains(path + ":33:67: error: min_words: a number of words from 1 to 50"));
  CHECK_THAT(text, Catch::VectorContains(path + ":29:5: error: lowering 'model_says' needs concepts in any:, or a classifier: probability"));
}

TEST_CASE("the model: trained reproducibly, refused when missing, damaged or older than its corpus", "[safety][model]") {
  TempFolder dir;
  std::filesystem::create_directories(dir.path / "corpus");
  {
    std::ofstream corpus(dir.path / "corpus" / "en.tsv");
    for (int i = 0; i < 5; ++i) {
      corpus << "suicide_intent\ten\ti want to die " << i << "\n";
      corpus << "ok_everyday\ten\ti want to eat pizza " << i << "\n";
    }
  }
  std::string yaml;
  {
    std::ifstream in(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/safety/rules/broken_rules.yaml");
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  yaml = yaml.substr(0, yaml.find("lexicons:")) +
         "classifier: { model: m.ftz, corpus: corpus, crisis: 0.9, ask: 0.5 }\n"
         "resources:\n  international:\n    - { service: \"Find A Helpline\", url: \"https://findahelpline.com\" }\n";
  std::ofstream(dir.path / "main.yaml") << yaml;
  std::string main = (dir.path / "main.yaml").string();

  std::vector<core::Diagnostic> diagnostics;
  safety::load_safety_policy(main, diagnostics);
  CHECK(any_contains(messages_of(diagnostics), "m.ftz: the safety model file is missing"));

  diagnostics.clear();
  safety::TrainSettings quick;
  quick.bucket = 1000;
  quick.epoch = 5;
  quick.quantize = false;
  auto policy = safety::load_safety_policy(main, diagnostics, {false});
  REQUIRE(diagnostics.empty());
  safety::train_policy_model(policy, quick);
  auto first = safety::file_digest(policy.model_file);
  safety::train_policy_model(policy, quick);
  CHECK(safety::file_digest(policy.model_file) == first);  // one thread, a fixed seed: the same bytes
  auto loaded = safety::load_safety_policy(main, diagnostics);
  CHECK(diagnostics.empty());
  REQUIRE(loaded.classifier);
  CHECK(safety::SafetyScreen(loaded).screen("i want to die").risk > 0.5);

  std::ofstream(dir.path / "corpus" / "en.tsv", std::ios::app) << "ok_everyday\ten\tnew line\n";
  safety::load_safety_policy(main, diagnostics);
  CHECK(any_contains(messages_of(diagnostics), "the model is older than its corpus"));

  diagnostics.clear();
  safety::train_policy_model(policy, quick);
  std::ofstream(policy.model_file, std::ios::binary | std::ios::trunc) << "not a model";
  safety::load_safety_policy(main, diagnostics);
  CHECK(any_contains(messages_of(diagnostics), "the model file is damaged"));
}

TEST_CASE("a language file that cannot be read is named, then so is one with an unknown category", "[safety][check]") {
  TempFolder dir;
  std::string yaml;
  {
    std::ifstream in(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/safety/rules/broken_rules.yaml");
    yaml.assign(std::istreambuf_iterator<char>(in), {});
  }
  yaml = yaml.substr(0, yaml.find("lexicons:")) +
         "languages: { de: de.yaml, xx: missing.yaml }\n"
         "resources:\n  international:\n    - { service: \"Find A Helpline\", url: \"https://findahelpline.com\" }\n";
  std::ofstream(dir.path / "main.yaml") << yaml;
  std::ofstream(dir.path / "de.yaml") << "locale: de\nmarkers: [ich]\ncategories:\n  made_up: { phrases: [etwas] }\n";
  std::vector<core::Diagnostic> diagnostics;
  safety::load_safety_policy((dir.path / "main.yaml").string(), diagnostics);
  auto text = messages_of(diagnostics);
  CHECK(any_contains(text, "cannot read the language file " + (dir.path / "missing.yaml").string()));
  CHECK(any_contains(text, (dir.path / "de.yaml").string() + ":4:3: error: unknown category 'made_up'"));
}
