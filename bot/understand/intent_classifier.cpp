#include "bot/understand/intent_classifier.hpp"

#include <fasttext/fasttext.h>

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "bot/safety/text_normalizer.hpp"

namespace bounceback::understand {

namespace {
constexpr std::string_view kLabelPrefix = "__label__";
}

std::string model_line(std::string_view text) {
  std::string line;
  for (const auto& w : safety::normalize_words(text)) {
    if (!line.empty()) line += ' ';
    line += w;
  }
  return line;
}

IntentClassifier::IntentClassifier() : model_(std::make_unique<fasttext::FastText>()) {}
IntentClassifier::~IntentClassifier() = default;

std::shared_ptr<const IntentClassifier> IntentClassifier::load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path))
    throw std::runtime_error(path + ": the understanding model is missing (bounceback understand-train makes it)");
  std::shared_ptr<IntentClassifier> c(new IntentClassifier());
  try {
    c->model_->loadModel(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a usable understanding model (" + e.what() + ")");
  }
  if (c->model_->getDictionary()->nlabels() < 2) throw std::runtime_error(path + ": the understanding model has no intents");
  return c;
}

std::vector<dialog::IntentGuess> IntentClassifier::guess(std::string_view text, int count) const {
  std::string line = model_line(text);
  std::vector<dialog::IntentGuess> out;
  if (line.empty() || count <= 0) return out;  // punctuation alone: nothing to read
  // Not one word the examples ever used ("hmm", "purple"): the model would still answer,
  // from letter n-grams and its prior, with confidence it has not earned.
  auto dictionary = model_->getDictionary();
  std::istringstream words(line);
  bool known = false;
  for (std::string w; words >> w && !known;) known = dictionary->getId(w) >= 0;
  if (!known) return out;
  std::istringstream in(line + '\n');
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  model_->predictLine(in, predictions, count, 0.0);
  for (const auto& [probability, label] : predictions) {
    std::string intent = label.rfind(kLabelPrefix, 0) == 0 ? label.substr(kLabelPrefix.size()) : label;
    out.push_back({intent, static_cast<double>(probability)});
  }
  return out;
}

std::vector<std::string> IntentClassifier::intents() const {
  std::vector<std::string> out;
  auto dict = model_->getDictionary();
  for (int32_t i = 0; i < dict->nlabels(); ++i) {
    std::string label = dict->getLabel(i);
    out.push_back(label.rfind(kLabelPrefix, 0) == 0 ? label.substr(kLabelPrefix.size()) : label);
  }
  return out;
}

}  // namespace bounceback::understand
