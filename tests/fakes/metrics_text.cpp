#include "tests/fakes/metrics_text.hpp"

#include <sstream>

namespace bounceback::testing {

double metric_total(const std::string& prometheus_text, const std::string& name) {
  double total = 0;
  std::istringstream lines(prometheus_text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
    if (line[name.size()] != ' ' && line[name.size()] != '{') continue;  // a longer name
    total += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

}  // namespace bounceback::testing
