#include "bot/safety/safety_screen.hpp"

#include "bot/safety/text_normalizer.hpp"

namespace bounceback::safety {

SafetyScreen::SafetyScreen(const SafetyPolicy& policy) {
  // Tags follow the categories' order, so when several match the first listed wins;
  // harmful coping comes after every crisis category.
  int tag = 0;
  for (const auto& c : policy.categories) {
    category_ids_.push_back(c.id);
    for (const auto& p : c.phrases) matcher_.add(p, tag);
    ++tag;
  }
  coping_tag_ = tag;
  for (const auto& p : policy.coping_risk) matcher_.add(p, coping_tag_);
}

ScreenResult SafetyScreen::screen(std::string_view text) const {
  auto found = matcher_.find(normalize_words(text));
  if (!found) return {};
  if (*found == coping_tag_) return {ScreenResult::Kind::coping_risk, "coping_risk"};
  return {ScreenResult::Kind::crisis, category_ids_[static_cast<std::size_t>(*found)]};
}

}  // namespace bounceback::safety
