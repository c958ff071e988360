#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace bounceback::core {

// A local time of day as minutes after midnight (0..1439), read and written as "HH:MM".
std::string format_minute(int minute);
// The one reader of times of day in bounceback, for what people type and what is stored:
// "07:05", "7:05", "7.05", "7", "21h", "21h30", "9am", "9:30 pm", "12am" (midnight).
// Anything else (24:00, 7:5, 0705, 13pm, 07:05x) is nothing.
std::optional<int> parse_minute(std::string_view text);

}  // namespace bounceback::core
