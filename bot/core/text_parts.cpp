#include "bot/core/text_parts.hpp"

#include <utf8proc.h>

#include <vector>

namespace bounceback::core {

std::vector<std::string> split_text(const std::string& text, std::size_t limit) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (text.size() - at > limit) {
    std::size_t cut = at + limit;
    while (cut > at && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    if (cut == at) cut = at + limit;  // no character starts there (not UTF-8): cut anyway, or never end
    auto newline = text.rfind('\n', cut - 1);
    if (newline != std::string::npos && newline > at + limit / 2) cut = newline + 1;  // after a line, if near
    parts.push_back(text.substr(at, cut - at));
    at = cut;
  }
  parts.push_back(text.substr(at));
  return parts;
}

namespace {

// Where each grapheme cluster of `text` starts (byte offsets), and where valid UTF-8 ends.
std::vector<std::size_t> grapheme_starts(std::string_view text, std::size_t& valid_end) {
  std::vector<std::size_t> starts;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto size = static_cast<utf8proc_ssize_t>(text.size());
  utf8proc_ssize_t at = 0;
  utf8proc_int32_t previous = -1, state = 0;
  while (at < size) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + at, size - at, &cp);
    if (n <= 0) break;
    if (previous < 0 || utf8proc_grapheme_break_stateful(previous, cp, &state)) starts.push_back(static_cast<std::size_t>(at));
    previous = cp;
    at += n;
  }
  valid_end = static_cast<std::size_t>(at);
  return starts;
}

}  // namespace

std::string shorten(std::string_view text, std::size_t max_characters, std::string_view ellipsis) {
  std::size_t valid_end = 0;
  auto starts = grapheme_starts(text, valid_end);
  if (starts.size() <= max_characters && valid_end == text.size()) return std::string(text);
  std::size_t ellipsis_characters = 0;
  {
    std::size_t ignored = 0;
    ellipsis_characters = grapheme_starts(ellipsis, ignored).size();
  }
  if (max_characters <= ellipsis_characters) ellipsis = {}, ellipsis_characters = 0;
  std::size_t keep = starts.size() <= max_characters ? starts.size() : max_characters - ellipsis_characters;
  std::size_t end = keep < starts.size() ? starts[keep] : valid_end;
  std::string out(text.substr(0, end));
  if (keep < starts.size()) out += ellipsis;
  return out;
}

}  // namespace bounceback::core
