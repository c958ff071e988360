#include "bot/understand/intent_trainer.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>

#include "bot/core/random_ids.hpp"
#include "bot/dialog/understanding.hpp"
#include "bot/understand/intent_classifier.hpp"

namespace bounceback::understand {

namespace {

std::string file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return core::sha256_hex(bytes.str());
}

std::string percent(int part, int whole) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f%% (%d of %d)", whole ? 100.0 * part / whole : 0.0, part, whole);
  return buf;
}

}  // namespace

std::string model_path(const std::string& folder) { return (std::filesystem::path(folder) / "model.ftz").string(); }

void train_intents(const std::vector<IntentExample>& examples, const std::string& path, const IntentTrainSettings& s) {
  safety::TempFolder tmp;
  auto input = (tmp.path() / "train.txt").string();
  {
    // Shuffled with the seed: fastText's learning rate falls as it reads, and lines grouped
    // by intent would leave the last files the loudest.
    std::vector<const IntentExample*> order;
    for (const auto& e : examples) order.push_back(&e);
    std::shuffle(order.begin(), order.end(), std::mt19937(static_cast<unsigned>(s.seed)));
    std::ofstream out(input);
    for (const auto* e : order) out << "__label__" << e->intent << ' ' << model_line(e->text) << '\n';
    if (!out) throw std::runtime_error("cannot write the training file");
  }
  safety::train_fasttext(input, path, s, "training the understanding model");
}

std::string train_intent_model(const std::string& folder, const IntentTrainSettings& settings) {
  std::vector<core::Diagnostic> problems;
  auto examples = read_intent_examples(folder, problems);
  if (!problems.empty()) throw std::runtime_error(problems.front().to_string());
  std::string digest = examples_digest(folder);
  std::string path = model_path(folder);
  std::string temp = path + ".new";
  train_intents(examples.examples, temp, settings);
  std::filesystem::rename(temp, path);
  std::ofstream meta(path + ".sha256");
  meta << "model " << file_digest(path) << "\nexamples " << digest << '\n';
  if (!meta) throw std::runtime_error("cannot write " + path + ".sha256");
  return "trained " + path + " from " + std::to_string(examples.examples.size()) + " examples of " +
         std::to_string(examples.intents.size()) + " intents, " + std::to_string(std::filesystem::file_size(path)) + " bytes";
}

std::optional<core::Diagnostic> model_problem(const std::string& folder) {
  std::string path = model_path(folder);
  if (!std::filesystem::is_regular_file(path))
    return core::Diagnostic{{path, 1, 1}, "the understanding model is missing: run bounceback understand-train"};
  std::ifstream meta(path + ".sha256");
  std::map<std::string, std::string> kept;
  for (std::string name, value; meta >> name >> value;) kept[name] = value;
  if (kept["model"] != file_digest(path))
    return core::Diagnostic{{path, 1, 1}, "the understanding model does not match " + path + ".sha256 (damaged, or not made by understand-train)"};
  if (kept["examples"] != examples_digest(folder))
    return core::Diagnostic{{path, 1, 1}, "the understanding model is older than its examples: run bounceback understand-train"};
  return std::nullopt;
}

std::string evaluate_intents(const IntentClassifier& model, const std::vector<IntentExample>& lines) {
  struct Count {
    int top1 = 0, top3 = 0, total = 0;
  };
  Count all;
  int unsure = 0;
  std::map<std::string, Count> by_intent;
  std::map<std::string, std::map<std::string, int>> confused;  // intent -> taken for -> times
  for (const auto& line : lines) {
    auto guesses = model.guess(line.text, 3);
    bool first = !guesses.empty() && guesses.front().intent == line.intent;
    bool among = std::any_of(guesses.begin(), guesses.end(), [&](const auto& g) { return g.intent == line.intent; });
    for (Count* c : {&all, &by_intent[line.intent]}) {
      ++c->total;
      c->top1 += first;
      c->top3 += among;
    }
    if (guesses.empty() || guesses.front().probability < dialog::kSureEnough) ++unsure;
    if (!first && !guesses.empty()) ++confused[line.intent][guesses.front().intent];
  }
  std::ostringstream out;
  out << "top-1 accuracy " << percent(all.top1, all.total) << ", top-3 " << percent(all.top3, all.total) << '\n';
  out << "best guess below " << dialog::kSureEnough << " (answered \"not sure\"): " << percent(unsure, all.total) << '\n';
  out << "by intent (top-1; most often taken for)\n";
  for (const auto& [intent, c] : by_intent) {
    out << "  " << intent << ": " << percent(c.top1, c.total);
    if (auto it = confused.find(intent); it != confused.end()) {
      auto worst = std::max_element(it->second.begin(), it->second.end(), [](auto& a, auto& b) { return a.second < b.second; });
      out << "; " << worst->first << " " << worst->second;
    }
    out << '\n';
  }
  return out.str();
}

std::string cross_validate_intents(const std::string& folder, int folds, const IntentTrainSettings& settings) {
  if (folds < 2) throw std::runtime_error("cross-validation needs at least 2 folds");
  std::vector<core::Diagnostic> problems;
  auto examples = read_intent_examples(folder, problems);
  if (!problems.empty()) throw std::runtime_error(problems.front().to_string());
  auto lines = examples.examples;
  std::shuffle(lines.begin(), lines.end(), std::mt19937(static_cast<unsigned>(settings.seed)));
  std::ostringstream out;
  safety::TempFolder tmp;
  std::vector<IntentExample> held_all;
  int top1 = 0, total = 0;
  for (int f = 0; f < folds; ++f) {
    std::vector<IntentExample> train, held;
    for (std::size_t i = 0; i < lines.size(); ++i) (static_cast<int>(i % folds) == f ? held : train).push_back(lines[i]);
    auto path = (tmp.path() / ("fold" + std::to_string(f) + ".ftz")).string();
    train_intents(train, path, settings);
    auto model = IntentClassifier::load(path);
    for (const auto& h : held) {
      auto g = model->guess(h.text, 1);
      top1 += !g.empty() && g.front().intent == h.intent;
      ++total;
    }
  }
  out << folds << "-fold cross-validation over " << lines.size() << " examples: top-1 accuracy " << percent(top1, total) << '\n';
  return out.str();
}

}  // namespace bounceback::understand
