#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>

#include "bot/safety/safety_policy.hpp"
#include "bot/safety/safety_responder.hpp"
#include "bot/safety/safety_screen.hpp"
#include "bot/safety/text_normalizer.hpp"
#include "bot/safety/zone_country.hpp"

using namespace bounceback;

namespace {

safety::SafetyPolicy shipped_policy() {
  std::vector<core::Diagnostic> diagnostics;
  auto policy = safety::load_safety_policy(BOUNCEBACK_SOURCE_DIR "/config/safety/en.yaml", diagnostics);
  for (const auto& d : diagnostics) FAIL_CHECK(d.to_string());
  return policy;
}

std::vector<std::string> lines_of(const std::string& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("normalisation folds case, forms, accents and obfuscations", "[safety][normalize]") {
  using safety::normalize_words;
  using W = std::vector<std::string>;
  CHECK(normalize_words("I want to K1LL myself!!!") == W{"i", "want", "to", "kil", "myself"});
  CHECK(normalize_words("Ｓｕｉｃｉｄé") == W{"suicide"});
  CHECK(normalize_words("$uicide") == W{"suicide"});
  CHECK(normalize_words("I can’t go on") == W{"i", "cant", "go", "on"});
  CHECK(normalize_words("self-harm") == W{"self", "harm"});
  CHECK(normalize_words("diiiie") == W{"die"});
  CHECK(normalize_words("I took 30 pills") == W{"i", "tok", "30", "pils"});
  // Invalid UTF-8 is read byte by byte, never thrown on ("8" inside a word reads as "b").
  CHECK(normalize_words(std::string("bad \xff utf8")) == W{"bad", "\xff", "utfb"});
}

TEST_CASE("the phrase corpus: full recall on crises, few false alarms on everyday words", "[safety][corpus]") {
  auto policy = shipped_policy();
  safety::SafetyScreen screen(policy);

  int positives = 0, caught = 0, right_category = 0;
  for (const auto& line : lines_of(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/safety/positives.txt")) {
    auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    std::string category = line.substr(0, tab), text = line.substr(tab + 1);
    auto result = screen.screen(text);
    ++positives;
    if (result.crisis()) ++caught;
    else FAIL_CHECK("missed (" << category << "): " << text);
    if (result.category == category) ++right_category;
  }
  int negatives = 0, false_alarms = 0;
  for (const auto& text : lines_of(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/safety/negatives.txt")) {
    ++negatives;
    auto result = screen.screen(text);
    if (result.kind != safety::ScreenResult::Kind::none) {
      ++false_alarms;
      WARN("false alarm (" << result.category << "): " << text);
    }
  }
  double recall = 100.0 * caught / positives;
  double false_positive_rate = 100.0 * false_alarms / negatives;
  std::cout << "safety corpus: " << positives << " positives, recall " << recall << "% (" << right_category
            << " in the expected category); " << negatives << " negatives, false positives " << false_positive_rate
            << "% (" << false_alarms << ")\n";
  CHECK(positives >= 200);
  CHECK(negatives >= 200);
  CHECK(caught == positives);
  CHECK(false_positive_rate <= 5.0);
}

TEST_CASE("harmful coping that is not an emergency is told apart", "[safety]") {
  auto policy = shipped_policy();
  safety::SafetyScreen screen(policy);
  auto r = screen.screen("honestly I've been drinking to cope with all of it");
  CHECK(r.kind == safety::ScreenResult::Kind::coping_risk);
  // A crisis wins over coping when both are there.
  CHECK(screen.screen("drinking to cope and I want to die").crisis());
}

TEST_CASE("crisis replies carry the person's country's resources and the international ones", "[safety]") {
  auto policy = shipped_policy();
  safety::SafetyResponder responder(policy);
  auto de = responder.crisis("DE");
  CHECK(de.kind == core::MessageKind::safety);
  CHECK_THAT(de.text, Catch::Contains("TelefonSeelsorge"));
  CHECK_THAT(de.text, Catch::Contains("findahelpline.com"));
  CHECK_THAT(de.text, !Catch::Contains("988"));
  REQUIRE(de.choices.size() == 3);
  CHECK(de.choices[0].id == "safety.contacts");
  CHECK(de.choices[1].id == "safety.safe");
  CHECK(de.choices[2].id == "safety.not_meant");
  auto unknown = responder.crisis("");
  CHECK_THAT(unknown.text, Catch::Contains("findahelpline.com"));
  CHECK_THAT(responder.contacts("US").text, Catch::Contains("call 988"));
}

TEST_CASE("a time zone tells the country", "[safety]") {
  CHECK(safety::country_for_zone("Europe/Berlin") == "DE");
  CHECK(safety::country_for_zone("America/New_York") == "US");
  CHECK(safety::country_for_zone("Australia/Lord_Howe") == "AU");
  CHECK(safety::country_for_zone("UTC").empty());
  CHECK(safety::country_for_zone("").empty());
}

TEST_CASE("a broken safety file is reported with FILE:LINE:COL", "[safety][check]") {
  std::string path = BOUNCEBACK_SOURCE_DIR "/tests/fixtures/safety/broken.yaml";
  std::vector<core::Diagnostic> diagnostics;
  safety::load_safety_policy(path, diagnostics);
  std::vector<std::string> text;
  for (const auto& d : diagnostics) text.push_back(d.to_string());
  CHECK_THAT(text, Catch::VectorContains(path + ":5:11: error: message 'crisis' must show {{resources}}"));
  CHECK_THAT(text, Catch::VectorContains(path + ":12:9: error: the phrase \"kill   MYSELF\" is listed twice"));
  CHECK_THAT(text, Catch::VectorContains(path + ":14:3: error: 'Germany' is not a two-letter country code (or international)"));
  CHECK_THAT(text, Catch::VectorContains(path + ":15:7: error: resource 'Someone' needs a phone, text or url"));
}

TEST_CASE("a typo forgiven is one typo: 'sort the flat' is not 'shoot them'", "[safety]") {
  auto policy = shipped_policy();
  safety::SafetyScreen screen(policy);
  // "sort" and "shot" (shoot, squeezed) share the deletion "sot" but are two letters apart.
  for (const char* everyday : {"/goal sort the flat", "I need to sort them out", "sorting the laundry tonight"})
    CHECK(screen.screen(everyday).kind == safety::ScreenResult::Kind::none);
  // One typo is still forgiven.
  CHECK(screen.screen("i want to kil myself").crisis());
  CHECK(screen.screen("i want to shooot them all").crisis());
}
