#include "bot/core/text_parts.hpp"

namespace bounceback::core {

std::vector<std::string> split_text(const std::string& text, std::size_t limit) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (text.size() - at > limit) {
    std::size_t cut = at + limit;
    while (cut > at && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    auto newline = text.rfind('\n', cut - 1);
    if (newline != std::string::npos && newline > at + limit / 2) cut = newline + 1;  // after a line, if near
    parts.push_back(text.substr(at, cut - at));
    at = cut;
  }
  parts.push_back(text.substr(at));
  return parts;
}

}  // namespace bounceback::core
