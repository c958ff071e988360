#include "bot/core/group_command.hpp"

#include <algorithm>

namespace bounceback::core {

bool changes_group_settings(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return false;
  text.remove_prefix(begin);
  auto end = std::min(text.find_first_of(kSpace), text.size());
  std::string_view command = text.substr(0, end);
  command = command.substr(0, command.find('@'));  // Telegram: /checkin@bounceback_bot
  return command == "/checkin" && text.find_first_not_of(kSpace, end) != std::string_view::npos;
}

}  // namespace bounceback::core
