#include "bot/safety/stemmer.hpp"

#include <libstemmer.h>

#include <map>
#include <memory>

namespace bounceback::safety {

namespace {

const char* algorithm_for(const std::string& language) {
  static const std::map<std::string, const char*> names = {
      {"en", "english"},    {"es", "spanish"}, {"de", "german"},  {"fr", "french"},   {"pt", "portuguese"},
      {"it", "italian"},    {"nl", "dutch"},   {"tr", "turkish"}, {"sv", "swedish"},  {"da", "danish"},
      {"no", "norwegian"},  {"fi", "finnish"}, {"ru", "russian"}, {"ro", "romanian"}, {"hu", "hungarian"}};
  auto it = names.find(language);
  return it == names.end() ? nullptr : it->second;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// sb_stemmer keeps state while it stems, so one per language and thread.
sb_stemmer* stemmer_for(const std::string& language) {
  thread_local std::map<std::string, std::unique_ptr<sb_stemmer, StemmerDeleter>> stemmers;
  auto it = stemmers.find(language);
  if (it != stemmers.end()) return it->second.get();
  const char* algorithm = algorithm_for(language);
  sb_stemmer* s = algorithm ? sb_stemmer_new(algorithm, "UTF_8") : nullptr;
  stemmers.emplace(language, std::unique_ptr<sb_stemmer, StemmerDeleter>(s));
  return s;
}

}  // namespace

bool has_stemmer(const std::string& language) { return algorithm_for(language) != nullptr; }

std::string stem_word(std::string_view word, const std::string& language) {
  sb_stemmer* s = stemmer_for(language);
  if (!s || word.empty()) return std::string(word);
  const sb_symbol* out = sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()), static_cast<int>(word.size()));
  if (!out) return std::string(word);  // out of memory: the word itself still matches its own form
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(sb_stemmer_length(s)));
}

}  // namespace bounceback::safety
