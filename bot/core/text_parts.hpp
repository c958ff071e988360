#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace bounceback::core {

// A text too long for one platform message (an /export) in parts of at most `limit`
// bytes, cut after a line where one is near, never inside a UTF-8 character. Telegram
// takes 4096 characters a message (bytes bound characters), Matrix events 64 KiB.
std::vector<std::string> split_text(const std::string& text, std::size_t limit);

// `text` cut to at most `max_characters` user-perceived characters (grapheme clusters:
// "👩‍👩‍👧" or "é" written as e + accent count once and are never split), with `ellipsis`
// added when anything was cut (counted in the limit). Invalid UTF-8 is cut where it starts.
std::string shorten(std::string_view text, std::size_t max_characters, std::string_view ellipsis = "");

}  // namespace bounceback::core
