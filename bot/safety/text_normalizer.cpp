#include "bot/safety/text_normalizer.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "bot/safety/stemmer.hpp"

namespace bounceback::safety {

namespace {

// Folds case, compatibility forms and diacritics: "Ｓｕｉｃｉｄé" -> "suicide".
std::string fold(std::string_view text) {
  // Most messages are plain ASCII: lower-casing is all the folding they need.
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string out(text);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  utf8proc_uint8_t* folded = nullptr;
  auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
                                                 UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_LUMP);
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &folded, options);
  if (n < 0) {
    // Not valid UTF-8 (connectors reject it, but the screen must never be the weak spot):
    // read the bytes as ASCII, lower-cased.
    std::string out(text);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(folded, &std::free);
  return std::string(reinterpret_cast<const char*>(folded), static_cast<std::size_t>(n));
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// What a digit or symbol stands for inside a word ("su1c1de", "k!ll", "$elf").
char as_letter(char c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '8': return 'b';
    case '9': return 'g';
    case '@': return 'a';
    case '$': return 's';
    case '!': return 'i';
    case '|': return 'l';
    case '+': return 't';
    default: return 0;
  }
}

void finish_word(std::string& raw, std::vector<std::string>& out) {
  // Symbols at the end are punctuation ("die!"); at the start they may be letters ("$elf").
  std::size_t b = 0, e = raw.size();
  while (e > b && !is_letter(raw[e - 1]) && !is_digit(raw[e - 1])) --e;
  while (b < e && !is_letter(raw[b]) && !is_digit(raw[b]) && !as_letter(raw[b])) ++b;
  std::string_view word(raw.data() + b, e - b);
  bool has_letter = false;
  for (char c : word) has_letter = has_letter || is_letter(c);
  std::string mapped;
  for (char c : word) {
    if (is_letter(c)) mapped += c;
    else if (has_letter && as_letter(c)) mapped += as_letter(c);
    else if (is_digit(c)) mapped += c;  // a number on its own stays a number
    else {                              // other symbols inside a word break it
      if (!mapped.empty()) out.push_back(mapped);
      mapped.clear();
    }
  }
  if (!mapped.empty()) out.push_back(mapped);
  raw.clear();
}

std::string squeeze(const std::string& word) {
  std::string out;
  for (char c : word)
    if (out.empty() || out.back() != c || !is_letter(c)) out += c;
  return out;
}

// The words before squeezing.
std::vector<std::string> split_words(std::string_view text) {
  std::string folded = fold(text);
  std::vector<std::string> words;
  std::string raw;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    char c = folded[i];
    if (c == '\'' || c == '`') continue;  // "can't" is one word ("’" is folded to "'" above)
    bool part = is_letter(c) || is_digit(c) || as_letter(c);
    if (part) raw += c;
    else if (!raw.empty()) finish_word(raw, words);
  }
  if (!raw.empty()) finish_word(raw, words);
  return words;
}

// "diiiie" -> "die", "kill" stays: runs of three or more letters are stretching.
std::string unstretch(const std::string& word) {
  std::string out;
  for (std::size_t i = 0; i < word.size();) {
    std::size_t j = i;
    while (j < word.size() && word[j] == word[i]) ++j;
    out.append(j - i >= 3 && is_letter(word[i]) ? 1 : j - i, word[i]);
    i = j;
  }
  return out;
}

}  // namespace

std::vector<std::string> normalize_words(std::string_view text) {
  auto words = split_words(text);
  for (auto& w : words) w = squeeze(w);
  return words;
}

NormalizedText normalize_and_stem(std::string_view text, const std::string& language) {
  NormalizedText out;
  out.words = split_words(text);
  out.stems.reserve(out.words.size());
  for (auto& w : out.words) {
    out.stems.push_back(squeeze(stem_word(unstretch(w), language)));
    w = squeeze(w);
  }
  return out;
}

std::string squeeze_letters(const std::string& word) { return squeeze(word); }

}  // namespace bounceback::safety
