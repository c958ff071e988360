// What the safety screen costs per message, as shipped (every language's lists, the rules
// and the classifier), over the phrase fixtures and the training corpus (crises and
// everyday messages alike, nine languages). Prints the median and tail per message.
//
//   build/bin/bench_safety_screen [ROUNDS=20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bot/safety/safety_corpus.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/safety/safety_screen.hpp"

using namespace bounceback;

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::stoi(argv[1]) : 20;
  std::vector<core::Diagnostic> problems;
  auto policy = safety::load_safety_policy(BOUNCEBACK_SOURCE_DIR "/config/safety/en.yaml", problems);
  if (!problems.empty()) return 1;
  safety::SafetyScreen screen(policy);

  std::vector<std::string> messages;
  for (const char* file : {"/tests/fixtures/safety/positives.txt", "/tests/fixtures/safety/negatives.txt"}) {
    std::ifstream in(std::string(BOUNCEBACK_SOURCE_DIR) + file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '#') messages.push_back(line.substr(line.find('\t') + 1));
  }
  std::vector<core::Diagnostic> corpus_problems;
  for (const auto& line : safety::read_corpus_dir(policy.corpus_dir, corpus_problems)) messages.push_back(line.text);
  std::size_t phrases = 0;
  for (const auto& lang : policy.languages) {
    phrases += lang.coping_risk.size();
    for (const auto& [id, list] : lang.category_phrases) phrases += list.size();
    for (const auto& [id, list] : lang.lexicons) phrases += list.size();
  }

  std::vector<double> ns;
  ns.reserve(messages.size() * static_cast<std::size_t>(rounds));
  std::size_t hits = 0;
  for (int r = 0; r < rounds; ++r)
    for (const auto& m : messages) {
      auto start = std::chrono::steady_clock::now();
      auto result = screen.screen(m);
      auto took = std::chrono::steady_clock::now() - start;
      hits += result.kind != safety::ScreenResult::Kind::none;
      ns.push_back(std::chrono::duration<double, std::nano>(took).count());
    }
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) { return ns[std::min(ns.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ns.size())))]; };
  std::printf("bench_safety_screen: %zu phrases in %zu languages, %zu rules, classifier %s; %zu messages x %d rounds (%zu screened as hits)\n",
              phrases, policy.languages.size(), policy.rules.size(), policy.classifier ? "on" : "off", messages.size(), rounds,
              hits / static_cast<std::size_t>(rounds));
  std::printf("per message: median %.2f us, p99 %.2f us, max %.2f us\n", at(0.5) / 1000, at(0.99) / 1000,
              ns.back() / 1000);
  return 0;
}
