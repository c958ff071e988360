#pragma once
#include <string>
#include <string_view>

#include "bot/safety/phrase_matcher.hpp"
#include "bot/safety/safety_policy.hpp"

namespace bounceback::safety {

struct ScreenResult {
  enum class Kind { none, crisis, coping_risk };
  Kind kind = Kind::none;
  std::string category;  // the crisis category's id; "coping_risk"

  bool crisis() const { return kind == Kind::crisis; }
};

// Reads one message against the policy's phrase lists. Pure and thread-safe once built.
class SafetyScreen {
 public:
  explicit SafetyScreen(const SafetyPolicy& policy);
  ScreenResult screen(std::string_view text) const;

 private:
  PhraseMatcher matcher_;
  std::vector<std::string> category_ids_;
  int coping_tag_ = 0;
};

}  // namespace bounceback::safety
