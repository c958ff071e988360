#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "bot/safety/phrase_matcher.hpp"
#include "bot/safety/safety_policy.hpp"

namespace bounceback::safety {

struct ScreenResult {
  // In rising order: a higher kind always wins.
  enum class Kind { none, coping_risk, ask, crisis };
  Kind kind = Kind::none;
  std::string category;  // the crisis category's id (someone_else, ...); "coping_risk"
  std::string language;  // the language the message was written in (ISO 639-1)
  double risk = 0;       // the classifier's risk, 0 without one
  bool classifier_may_answer = false;  // enough words for the classifier to answer alone
  std::string reason;    // what decided: a rule's id, "phrase", "classifier"
  std::vector<std::string> rules_fired;  // every rule that fired, whether it decided or not
  bool via_context = false;  // only the previous message together with this one says so

  bool crisis() const { return kind == Kind::crisis; }
  bool asks() const { return kind == Kind::ask; }
};

// What the screen knows of the person beyond this message.
struct ScreenContext {
  std::string_view previous;  // their previous message, when it came within context_minutes
  bool after_crisis = false;  // a crisis in the last pause_hours: the lower thresholds apply
};

// Reads one message: normalise -> stem per language -> concepts and rules, lowered by
// context -> classifier -> one answer: crisis, ask directly, harmful coping, or nothing.
// Pure and thread-safe once built.
class SafetyScreen {
 public:
  explicit SafetyScreen(const SafetyPolicy& policy);
  ScreenResult screen(std::string_view text, const ScreenContext& context = {}) const;
  // The language a message is written in: the pack whose marker words it uses most
  // (English when none stands out).
  std::string language_of(std::string_view text) const;

 private:
  struct Entry {
    enum class Type { category, lexicon, coping } type;
    int index;  // into categories_ or concepts_
  };
  struct Pack {
    std::string locale;
    PhraseMatcher matcher;  // surface and stemmed forms of every phrase, tagged with an Entry
  };
  struct Found;  // what one sentence holds

  std::string language_of_words(const std::vector<std::string>& words) const;
  int entry_for(Entry::Type type, int index);
  void add_phrase(Pack& pack, const std::string& phrase, int tag);
  void find_in(const std::string& sentence, const Pack& pack, Found& found) const;
  ScreenResult assess(std::string_view text, const Thresholds& thresholds) const;

  const SafetyPolicy& policy_;
  std::vector<std::string> categories_;  // in precedence
  std::vector<std::string> concepts_;
  std::vector<Entry> entries_;
  std::vector<Pack> packs_;  // the main language first
  std::unordered_map<std::string, std::vector<std::size_t>> markers_;  // word -> packs
  struct CompiledRule {
    const SafetyRule* rule;
    int category;
    std::vector<int> all, any, none;
  };
  struct CompiledLowering {
    const Lowering* lowering;
    std::vector<int> any, unless;
  };
  std::vector<CompiledRule> rules_;
  std::vector<CompiledLowering> lowerings_;
};

}  // namespace bounceback::safety
