#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace bounceback::core {

// A text too long for one platform message (an /export) in parts of at most `limit`
// bytes, cut after a line where one is near, never inside a UTF-8 character. Telegram
// takes 4096 characters a message (bytes bound characters), Matrix events 64 KiB.
std::vector<std::string> split_text(const std::string& text, std::size_t limit);

}  // namespace bounceback::core
