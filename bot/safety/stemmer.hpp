#pragma once
#include <string>
#include <string_view>

namespace bounceback::safety {

// A word's stem with Snowball (libstemmer) in one of the screen's languages (ISO 639-1:
// en, es, de, fr, pt, it, nl, tr, ...): "ending" -> "end", "killed" -> "kill". Words of a
// language without a Snowball stemmer (Polish) come back as they are; their lists name
// the forms. Thread-safe: each thread keeps its own stemmers.
std::string stem_word(std::string_view word, const std::string& language);

// Whether Snowball has a stemmer for the language.
bool has_stemmer(const std::string& language);

}  // namespace bounceback::safety
