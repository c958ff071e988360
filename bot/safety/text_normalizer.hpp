#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bounceback::safety {

// Turns text into the words the safety screen compares, the same way for the phrase lists
// and for what people write: Unicode compatibility forms (NFKC) and case folding with
// utf8proc, diacritics stripped, digits and symbols inside words read as the letters they
// stand for ("k1ll" -> "kill", "$uicide" -> "suicide"), apostrophes dropped ("can't" ->
// "cant"), other punctuation as a word break, and repeated letters squeezed ("diiie" ->
// "die", "kill" -> "kil"). Runs of single letters ("k i l l") are kept as they are; the
// screen joins them itself.
std::vector<std::string> normalize_words(std::string_view text);

// The same words, and beside each its stem in `language` (Stemmer), squeezed afterwards:
// "killing" -> "kil", "diiie" -> "die". Letters stretched three times or more are read
// once before stemming, so the stemmer sees a word it knows.
struct NormalizedText {
  std::vector<std::string> words;
  std::vector<std::string> stems;
};
NormalizedText normalize_and_stem(std::string_view text, const std::string& language);

// Squeezes repeated letters ("kill" -> "kil"), as normalize_words does.
std::string squeeze_letters(const std::string& word);

}  // namespace bounceback::safety
