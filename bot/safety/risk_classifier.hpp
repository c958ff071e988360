#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fasttext {
class FastText;
}

namespace bounceback::safety {

// The trained part of the safety screen: a fastText model over word and character n-grams
// of the normalised message, so spelling, slang and wording it never saw still land near
// what it learned. Labels are the corpus kinds: of crisis (suicide_intent, ...) and of
// everyday messages (ok_past, ok_fiction, ...), which the model learns apart too.
class RiskClassifier {
 public:
  struct Prediction {
    double risk = 0;   // the probability of any crisis kind: 1 - P(any ok_* kind)
    std::string kind;  // the most likely crisis kind
    // The probability of an everyday kind that speaks of the subject itself: a past that
    // is over, someone else at no risk, teaching, fiction (is_context_kind).
    double context = 0;
  };

  static bool is_context_kind(const std::string& kind) {
    return kind == "ok_past" || kind == "ok_other_safe" || kind == "ok_education" || kind == "ok_fiction";
  }

  // Throws std::runtime_error naming the file when it cannot be read or is not a model.
  static std::shared_ptr<const RiskClassifier> load(const std::string& path);
  ~RiskClassifier();

  // `words`: normalize_words() of the message.
  Prediction predict(std::span<const std::string> words) const;

 private:
  RiskClassifier();
  std::unique_ptr<fasttext::FastText> model_;
};

}  // namespace bounceback::safety
