#include "bot/dialog/dialog_context.hpp"

namespace bounceback::dialog {

std::optional<std::string> DialogContext::get(std::string_view key) const {
  for (const auto& [name, source] : sources_)
    if (auto v = source(key)) return v;
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  return std::nullopt;
}

void DialogContext::add_source(const std::string& name, Source source) {
  for (auto& [existing, s] : sources_)
    if (existing == name) {
      s = std::move(source);
      return;
    }
  sources_.emplace_back(name, std::move(source));
}

}  // namespace bounceback::dialog
