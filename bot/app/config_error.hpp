#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace bounceback::app {

// The config could not be used. Each diagnostic is one line, "FILE:LINE:COL: error: MESSAGE"
// (or "--set KEY: error: MESSAGE" for an override), ready to print as it is.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> diagnostics)
      : std::runtime_error(join(diagnostics)), diagnostics_(std::move(diagnostics)) {}
  const std::vector<std::string>& diagnostics() const { return diagnostics_; }

 private:
  static std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
    return out;
  }
  std::vector<std::string> diagnostics_;
};

}  // namespace bounceback::app
