#include "bot/safety/safety_trainer.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include "bot/safety/risk_classifier.hpp"
#include "bot/safety/safety_screen.hpp"
#include "bot/safety/text_normalizer.hpp"

namespace bounceback::safety {

namespace {

std::string classifier_label(const CorpusLine& line) { return line.label.empty() ? "ok" : line.label; }

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v);
  return buf;
}

std::string count_text(const Evaluation::Count& c) {
  return percent(c.rate()) + " (" + std::to_string(c.flagged) + " of " + std::to_string(c.total) + ")";
}

// How recall and false positives move as the classifier's threshold moves: a line is
// flagged when the rules flag it or its risk reaches the threshold. False positives apart
// by kind: "plain" (everyday talk, distress, idioms) is where being asked about suicide
// jars; "topic" (teaching, fiction, a past that is over, other safe uses) speaks of the
// subject itself.
std::string threshold_table(const std::vector<CorpusLine>& lines, const std::vector<bool>& by_rules,
                            const std::vector<double>& risk) {
  std::ostringstream out;
  auto is_topic = RiskClassifier::is_context_kind;
  out << "flagged (rules, or risk at or above the threshold) as the threshold moves:\n";
  out << "  threshold  recall  false positives  plain  topic\n";
  auto row = [&](const std::string& name, const std::function<bool(std::size_t)>& flagged) {
    Evaluation::Count r, fp, plain, topic;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      bool f = flagged(i);
      auto add = [f](Evaluation::Count& c) {
        ++c.total;
        c.flagged += f;
      };
      if (lines[i].crisis()) add(r);
      else {
        add(fp);
        add(is_topic(lines[i].label) ? topic : plain);
      }
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %9s  %6s  %15s  %5s  %5s\n", name.c_str(), percent(r.rate()).c_str(),
                  percent(fp.rate()).c_str(), percent(plain.rate()).c_str(), percent(topic.rate()).c_str());
    out << buf;
  };
  row("rules", [&](std::size_t i) { return by_rules[i]; });
  for (double t : {0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99}) {
    char name[16];
    std::snprintf(name, sizeof name, "%.2f", t);
    row(name, [&](std::size_t i) { return by_rules[i] || risk[i] >= t; });
  }
  return out.str();
}

}  // namespace

void train_classifier(const std::vector<CorpusLine>& lines, const std::string& model_path, const TrainSettings& s) {
  TempFolder tmp;
  auto input = (tmp.path() / "train.txt").string();
  {
    // fastText reads the file in order while its learning rate falls: lines grouped by
    // file and label would leave the last group the loudest. Shuffled, with the seed.
    std::vector<const CorpusLine*> order;
    for (const auto& line : lines) order.push_back(&line);
    std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(s.seed)));
    std::ofstream out(input);
    for (const CorpusLine* line_ptr : order) {
      const CorpusLine& line = *line_ptr;
      out << "__label__" << classifier_label(line);
      for (const auto& w : normalize_words(line.text)) out << ' ' << w;
      out << '\n';
    }
    if (!out) throw std::runtime_error("cannot write the training file");
  }
  train_fasttext(input, model_path, s, "training the safety model");
}

std::string train_policy_model(const SafetyPolicy& policy, const TrainSettings& settings) {
  if (policy.model_file.empty() || policy.corpus_dir.empty())
    throw std::runtime_error("the safety file names no classifier (classifier: model, corpus)");
  std::vector<core::Diagnostic> problems;
  auto lines = read_corpus_dir(policy.corpus_dir, problems);
  if (!problems.empty()) throw std::runtime_error(problems.front().to_string());
  std::string corpus = corpus_digest(policy.corpus_dir);
  std::string temp = policy.model_file + ".new";
  train_classifier(lines, temp, settings);
  std::filesystem::rename(temp, policy.model_file);
  std::ofstream meta(policy.model_file + ".sha256");
  meta << "model " << file_digest(policy.model_file) << "\ncorpus " << corpus << '\n';
  if (!meta) throw std::runtime_error("cannot write " + policy.model_file + ".sha256");
  int crisis = 0;
  for (const auto& l : lines) crisis += l.crisis();
  return "trained " + policy.model_file + " from " + std::to_string(lines.size()) + " lines (" + std::to_string(crisis) +
         " crisis, " + std::to_string(lines.size() - static_cast<std::size_t>(crisis)) + " everyday) in " +
         policy.corpus_dir + ", " + std::to_string(std::filesystem::file_size(policy.model_file)) + " bytes";
}

void Evaluation::add(const CorpusLine& line, bool is_crisis, bool flagged, bool asked) {
  auto count = [&](Count& c) {
    ++c.total;
    c.flagged += flagged;
  };
  count(is_crisis ? recall : false_positives);
  if (!line.label.empty()) count(by_label[line.label]);
  if (!line.lang.empty()) count(is_crisis ? recall_by_lang[line.lang] : false_positives_by_lang[line.lang]);
  if (is_crisis && flagged) {
    ++asked_on_crisis.total;
    asked_on_crisis.flagged += asked;
  }
}

std::string Evaluation::report() const {
  std::ostringstream out;
  out << "recall " << count_text(recall) << ", false positives " << count_text(false_positives) << '\n';
  out << "  crisis lines answered by asking directly (not the crisis reply): " << count_text(asked_on_crisis) << '\n';
  if (!by_label.empty()) {
    out << "by label (crisis kinds: recall; ok_*: false positives)\n";
    for (const auto& [label, c] : by_label) out << "  " << label << ": " << count_text(c) << '\n';
  }
  if (!recall_by_lang.empty() || !false_positives_by_lang.empty()) {
    out << "by language (recall / false positives)\n";
    std::set<std::string> langs;
    for (const auto& [l, c] : recall_by_lang) langs.insert(l);
    for (const auto& [l, c] : false_positives_by_lang) langs.insert(l);
    for (const auto& l : langs) {
      auto r = recall_by_lang.count(l) ? recall_by_lang.at(l) : Count{};
      auto f = false_positives_by_lang.count(l) ? false_positives_by_lang.at(l) : Count{};
      out << "  " << l << ": " << count_text(r) << " / " << count_text(f) << '\n';
    }
  }
  return out.str();
}

Evaluation evaluate(const SafetyPolicy& policy, const std::vector<CorpusLine>& positives, const std::vector<CorpusLine>& negatives,
                    std::string* listing) {
  SafetyScreen screen(policy);
  Evaluation e;
  for (const auto* set : {&positives, &negatives})
    for (const auto& line : *set) {
      auto r = screen.screen(line.text);
      bool flagged = r.kind == ScreenResult::Kind::crisis || r.kind == ScreenResult::Kind::ask;
      bool is_crisis = set == &positives;
      e.add(line, is_crisis, flagged, r.asks());
      if (listing && flagged != is_crisis) {
        char risk[16];
        std::snprintf(risk, sizeof risk, "%.2f", r.risk);
        *listing += (is_crisis ? "missed\t" : "flagged\t") + line.label + "\t" + (flagged ? r.reason : "-") + "\t" +
                    risk + "\t" + line.text + "\n";
      }
    }
  return e;
}

std::string sweep_thresholds(const SafetyPolicy& policy, const std::vector<CorpusLine>& positives,
                             const std::vector<CorpusLine>& negatives) {
  if (!policy.classifier) throw std::runtime_error("the safety file names no classifier: there is no threshold to move");
  // The screen as it is, except that the classifier answers nothing on its own: what the
  // rules flag (with the classifier's veto), and each line's risk.
  SafetyPolicy rules_with_veto = policy;
  rules_with_veto.thresholds.crisis = rules_with_veto.thresholds.ask = 1;
  SafetyScreen screen(rules_with_veto);
  std::vector<CorpusLine> lines;
  std::vector<bool> by_rules;
  std::vector<double> risk;
  for (const auto* set : {&positives, &negatives})
    for (const auto& line : *set) {
      auto r = screen.screen(line.text);
      lines.push_back(line);
      if (line.label.empty()) lines.back().label = set == &positives ? "crisis" : "ok";  // plain lines count by their file
      by_rules.push_back(r.kind >= ScreenResult::Kind::ask);
      risk.push_back(r.classifier_may_answer ? r.risk : 0);
    }
  return threshold_table(lines, by_rules, risk);
}

std::string cross_validate(const SafetyPolicy& policy, int folds, const TrainSettings& settings) {
  if (folds < 2) throw std::runtime_error("cross-validation needs at least 2 folds");
  std::vector<core::Diagnostic> problems;
  auto lines = read_corpus_dir(policy.corpus_dir, problems);
  if (!problems.empty()) throw std::runtime_error(problems.front().to_string());
  std::vector<std::size_t> order(lines.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(settings.seed)));

  // Each line's answer without the classifier (rules and phrases alone) and its risk from
  // the model that did not see it: enough to redo the decision at any threshold.
  SafetyPolicy rules_only = policy;
  rules_only.classifier.reset();
  SafetyScreen rules_screen(rules_only);
  std::vector<bool> by_rules(lines.size());
  std::vector<double> risk(lines.size());
  Evaluation at_thresholds;
  TempFolder tmp;
  for (int f = 0; f < folds; ++f) {
    std::vector<CorpusLine> train;
    std::vector<std::size_t> test;
    for (std::size_t k = 0; k < order.size(); ++k)
      (static_cast<int>(k % static_cast<std::size_t>(folds)) == f ? test.push_back(order[k]), void()
                                                                   : train.push_back(lines[order[k]]));
    auto model_path = (tmp.path() / ("fold" + std::to_string(f) + ".ftz")).string();
    train_classifier(train, model_path, settings);
    SafetyPolicy fold_policy = policy;
    fold_policy.classifier = RiskClassifier::load(model_path);
    SafetyScreen screen(fold_policy);
    for (std::size_t i : test) {
      auto r = screen.screen(lines[i].text);
      bool flagged = r.kind == ScreenResult::Kind::crisis || r.kind == ScreenResult::Kind::ask;
      at_thresholds.add(lines[i], lines[i].crisis(), flagged, r.asks());
      by_rules[i] = rules_screen.screen(lines[i].text).kind >= ScreenResult::Kind::ask;
      risk[i] = r.classifier_may_answer ? r.risk : 0;
    }
  }
  std::ostringstream out;
  out << folds << "-fold cross-validation over " << lines.size() << " lines, thresholds crisis " << policy.thresholds.crisis
      << " / ask " << policy.thresholds.ask << ":\n"
      << at_thresholds.report();
  out << '\n' << threshold_table(lines, by_rules, risk);
  return out.str();
}

}  // namespace bounceback::safety
