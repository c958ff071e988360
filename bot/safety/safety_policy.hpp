#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bot/core/diagnostic.hpp"

namespace bounceback::safety {

class RiskClassifier;

// One place to get help now.
struct CrisisResource {
  std::string service;
  std::string phone;
  std::string text;
  std::string url;
  std::string note;
  std::string source;   // the public page it was taken from
  std::string checked;  // when it was last checked against that page (YYYY-MM-DD)
  bool emergency = false;  // the country's general emergency number
};

struct SafetyCategory {
  std::string id;  // someone_else, suicide_self_harm, harm_others, overdose_substance, abuse_danger
  std::string label;
  std::vector<std::string> kinds;  // the corpus labels the classifier gives for it (default: the id)
};

// What one language brings: its replies, the words that tell it apart, its words for each
// concept, and its explicit phrases per category.
struct LanguagePack {
  std::string locale;  // ISO 639-1
  std::string file;
  std::map<std::string, std::string> messages;
  std::vector<std::string> markers;
  std::map<std::string, std::vector<std::string>> lexicons;          // concept -> phrases
  std::map<std::string, std::vector<std::string>> category_phrases;  // category id -> phrases
  std::vector<std::string> coping_risk;
};

// Concepts found together in a sentence (or a message) make a rule fire.
struct SafetyRule {
  std::string id;
  std::string category;
  std::vector<std::string> all, any, none;
  bool whole_message = false;  // within: message
  bool ask = false;            // answer: ask (else crisis)
  bool explicit_intent = false;
  core::SourceLocation at;
};

// A context in the same sentence that lowers the rules found there.
struct Lowering {
  std::string id;
  std::vector<std::string> any, unless;
  bool explicit_too = false;  // also lowers explicit rules and the category phrase lists
  // Or the context as the classifier reads it: the probability that the message speaks of
  // a past that is over, of someone else at no risk, of teaching or of fiction (0: not
  // used), in a message of at least min_words words (one word is no context).
  double classifier = 0;
  int min_words = 0;
};

struct Thresholds {
  double crisis = 0.85;
  double ask = 0.5;
  // A rule that is not explicit stands only when the classifier's risk is at least this:
  // the model has read the whole sentence ("the bridge" in a news story, "pills" for a
  // thyroid) where a rule sees only its concepts.
  double rule_floor = 0.0;
};

// config/safety/<locale>.yaml and what it names beside it, read and validated.
struct SafetyPolicy {
  std::string locale = "en";
  int pause_hours = 24;
  int context_minutes = 10;
  // The classifier answers on its own (asks, or gives the crisis reply) only for a message
  // of at least this many words, a leading /command not counted: "goodbye" or "/checkin
  // 25:00" are too little to go on, and the lists still read them.
  int classifier_min_words = 1;
  std::vector<SafetyCategory> categories;  // in order of precedence
  std::vector<LanguagePack> languages;     // the first is the main file's own (English)
  std::vector<SafetyRule> rules;
  std::vector<Lowering> lowerings;
  Thresholds thresholds, after_crisis{0.6, 0.3};
  std::string model_file, corpus_dir;  // resolved against the main file's folder; empty: no classifier
  std::shared_ptr<const RiskClassifier> classifier;
  std::map<std::string, std::vector<CrisisResource>> resources;  // country code or "international"

  const LanguagePack& main() const { return languages.front(); }
  const LanguagePack* language(const std::string& locale) const;
  // A reply in `locale`, else the main language's.
  const std::string& message(const std::string& key, const std::string& locale) const;
  // The category a corpus label (a classifier kind) belongs to; empty when none.
  std::string category_of_kind(const std::string& kind) const;
};

struct LoadOptions {
  bool load_model = true;  // safety-train reads the policy before its model exists
};

// Whether a file is a main safety file (it has messages and resources), not one of the
// parts it names (a language file, a resources file), which are checked through it.
bool is_main_safety_file(const std::string& path);

// Reads a safety file (and its language packs, resources and model); every problem goes
// to `diagnostics` as FILE:LINE:COL.
SafetyPolicy load_safety_policy(const std::string& path, std::vector<core::Diagnostic>& diagnostics,
                                LoadOptions options = {});

}  // namespace bounceback::safety
