#include "bot/safety/risk_classifier.hpp"

#include <fasttext/fasttext.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace bounceback::safety {

RiskClassifier::RiskClassifier() : model_(std::make_unique<fasttext::FastText>()) {}
RiskClassifier::~RiskClassifier() = default;

std::shared_ptr<const RiskClassifier> RiskClassifier::load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": the safety model file is missing");
  std::shared_ptr<RiskClassifier> c(new RiskClassifier());
  try {
    c->model_->loadModel(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a usable safety model (" + e.what() + ")");
  }
  // A model that reads but has no labels cannot tell anything apart.
  if (c->model_->getDictionary()->nlabels() < 2) throw std::runtime_error(path + ": the safety model has no labels");
  return c;
}

RiskClassifier::Prediction RiskClassifier::predict(std::span<const std::string> words) const {
  std::string line;
  for (const auto& w : words) {
    line += w;
    line += ' ';
  }
  line += '\n';
  std::istringstream in(line);
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  model_->predictLine(in, predictions, -1, 0.0);
  Prediction out;
  double ok = 0, best = -1;
  for (const auto& [probability, label] : predictions) {
    std::string kind = label.rfind("__label__", 0) == 0 ? label.substr(9) : label;
    if (kind.rfind("ok", 0) == 0) {  // "ok", or a kind of everyday message (ok_past, ...)
      ok += probability;
      if (is_context_kind(kind)) out.context += probability;
    } else if (probability > best) {
      best = probability;
      out.kind = kind;
    }
  }
  out.risk = predictions.empty() ? 0 : std::max(0.0, 1.0 - ok);
  return out;
}

}  // namespace bounceback::safety
