#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace bounceback::core {

// A local time of day as minutes after midnight (0..1439), read and written as "HH:MM".
std::string format_minute(int minute);
// "07:05" and "7:05" both read; anything else (24:00, 7:5, 07:05x) is nothing.
std::optional<int> parse_minute(std::string_view text);

}  // namespace bounceback::core
