// What reading typed words costs per message: the intent classifier as shipped
// (dialogs/understand/model.ftz) over its own example messages. Prints the median and tail.
//
//   build/bin/bench_understand [ROUNDS=20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bot/understand/intent_classifier.hpp"
#include "bot/understand/intent_examples.hpp"
#include "bot/understand/intent_trainer.hpp"

using namespace bounceback;

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::stoi(argv[1]) : 20;
  const std::string folder = BOUNCEBACK_SOURCE_DIR "/dialogs/understand";
  std::vector<core::Diagnostic> problems;
  auto examples = understand::read_intent_examples(folder, problems);
  if (!problems.empty()) {
    std::fprintf(stderr, "%s\n", problems.front().to_string().c_str());
    return 1;
  }
  auto model = understand::IntentClassifier::load(understand::model_path(folder));
  std::vector<double> ns;
  ns.reserve(examples.examples.size() * static_cast<std::size_t>(rounds));
  std::size_t guessed = 0;
  for (int r = 0; r < rounds; ++r)
    for (const auto& e : examples.examples) {
      auto start = std::chrono::steady_clock::now();
      auto guesses = model->guess(e.text, 3);
      auto took = std::chrono::steady_clock::now() - start;
      guessed += !guesses.empty();
      ns.push_back(std::chrono::duration<double, std::nano>(took).count());
    }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[std::min(ns.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ns.size())))]; };
  std::printf("bench_understand: %zu intents, %zu messages x %d rounds (%zu guessed)\n", examples.intents.size(),
              examples.examples.size(), rounds, guessed / static_cast<std::size_t>(rounds));
  std::printf("per message (three best guesses): median %.2f us, p99 %.2f us, max %.2f us\n", at(0.5) / 1000,
              at(0.99) / 1000, ns.back() / 1000);
  return 0;
}
