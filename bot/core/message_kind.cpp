#include "bot/core/message_kind.hpp"

#include <array>
#include <utility>

namespace bounceback::core {

namespace {
constexpr std::array<std::pair<MessageKind, std::string_view>, 6> kNames{{
    {MessageKind::reply, "reply"},
    {MessageKind::nudge, "nudge"},
    {MessageKind::celebration, "celebration"},
    {MessageKind::safety, "safety"},
    {MessageKind::checkin, "checkin"},
    {MessageKind::export_data, "export"},
}};
}  // namespace

std::string_view to_string(MessageKind kind) {
  for (const auto& [k, name] : kNames)
    if (k == kind) return name;
  return "reply";
}

std::optional<MessageKind> parse_message_kind(std::string_view text) {
  for (const auto& [k, name] : kNames)
    if (name == text) return k;
  return std::nullopt;
}

}  // namespace bounceback::core
