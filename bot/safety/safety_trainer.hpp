#pragma once
#include <map>
#include <string>
#include <vector>

#include "bot/safety/fasttext_training.hpp"
#include "bot/safety/safety_corpus.hpp"
#include "bot/safety/safety_policy.hpp"

namespace bounceback::safety {

// Trains on `lines` (every label a class of its own) and writes the model to
// `model_path`. Throws std::runtime_error when it cannot.
void train_classifier(const std::vector<CorpusLine>& lines, const std::string& model_path, const TrainSettings& settings);

// Trains from the policy's corpus folder, writes the model and, beside it, the SHA-256 of
// the model and of the corpus (MODEL.sha256) that `check` compares. Returns a summary.
std::string train_policy_model(const SafetyPolicy& policy, const TrainSettings& settings);

// Recall on crisis lines and false positives on everyday ones, as the daemon answers
// (asking directly counts as flagged), in all, per label and per language.
struct Evaluation {
  struct Count {
    int flagged = 0, total = 0;
    double rate() const { return total ? 100.0 * flagged / total : 0; }
  };
  Count recall, false_positives;
  std::map<std::string, Count> by_label;            // crisis labels: recall; ok_*: false positives
  std::map<std::string, Count> recall_by_lang, false_positives_by_lang;
  Count asked_on_crisis;  // crisis lines answered by asking directly, not the crisis reply

  void add(const CorpusLine& line, bool is_crisis, bool flagged, bool asked);
  std::string report() const;
};

// Screens every line with the policy as it is. With `listing`, each line that was answered
// wrongly goes there too, with what decided it (safety-eval --list).
Evaluation evaluate(const SafetyPolicy& policy, const std::vector<CorpusLine>& positives,
                    const std::vector<CorpusLine>& negatives, std::string* listing = nullptr);

// The table of cross_validate for two files and the model as it is: recall and false
// positives if the classifier asked at each threshold (safety-eval --sweep), for choosing
// thresholds on a split of one's own.
std::string sweep_thresholds(const SafetyPolicy& policy, const std::vector<CorpusLine>& positives,
                             const std::vector<CorpusLine>& negatives);

// K-fold cross-validation on the policy's corpus: K models, each tested on the fold it did
// not see; then how recall and false positives move with the classifier's thresholds.
std::string cross_validate(const SafetyPolicy& policy, int folds, const TrainSettings& settings);

}  // namespace bounceback::safety
