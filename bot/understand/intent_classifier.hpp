#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bot/dialog/understanding.hpp"

namespace fasttext {
class FastText;
}

namespace bounceback::understand {

// The trained reader of free text: a fastText model over word and character n-grams of
// the normalised message (the safety screen's normalisation), one label per intent file
// of dialogs/understand/. Thread-safe once loaded.
class IntentClassifier : public dialog::Understanding {
 public:
  // Throws std::runtime_error naming the file when it is missing or not a model.
  static std::shared_ptr<const IntentClassifier> load(const std::string& path);
  ~IntentClassifier() override;

  std::vector<dialog::IntentGuess> guess(std::string_view text, int count) const override;
  // The intents the model knows.
  std::vector<std::string> intents() const;

 private:
  IntentClassifier();
  std::unique_ptr<fasttext::FastText> model_;
};

// The text as the model reads it, in training and in use alike.
std::string model_line(std::string_view text);

}  // namespace bounceback::understand
