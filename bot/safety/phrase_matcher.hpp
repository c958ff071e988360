#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bounceback::safety {

// Finds listed phrases in normalised words (see normalize_words). Recall comes first:
// - a word matches exactly, or within one typo (a letter missing, added, changed or two
//   swapped) when it is at least 4 letters long in a phrase of several words, or at least
//   6 letters long in a phrase of one word ("wnat to die", "sucide");
// - a phrase word ending in * matches as a prefix, also within one typo ("suicid*");
// - a number stands for the letters it looks like ("70" -> "to", "4" -> "a");
// - letters typed one by one are joined ("k i l l myself", "s u i c i d e").
// Each phrase carries a tag (its category); find() returns the smallest tag found, and
// find_all() every phrase found with where it lies.
class PhraseMatcher {
 public:
  struct Match {
    int tag;
    std::size_t begin, end;  // word positions in what was searched; a run of letters typed
                             // one by one counts as the position of its first letter
  };

  // Returns false when the phrase has no words left after normalising.
  bool add(std::string_view phrase, int tag);
  // A phrase already in normalised words (stemmed, say); the last word is a prefix when
  // `last_is_prefix`; without `forgive_typos` every word must match exactly (stems are
  // short: one letter off is often another word). Returns false when `words` is empty.
  bool add_words(const std::vector<std::string>& words, bool last_is_prefix, int tag, bool forgive_typos = true);
  bool add(std::string_view phrase, int tag, bool forgive_typos);
  std::optional<int> find(const std::vector<std::string>& words) const;
  void find_all(const std::vector<std::string>& words, std::vector<Match>& out) const;
  std::size_t size() const { return phrases_.size(); }

 private:
  struct Phrase {
    std::vector<int> tokens;  // ids into tokens_; a prefix pattern is -(index into prefixes_) - 1
    std::vector<bool> fuzzy;  // whether a typo is forgiven at each position
    int tag;
    std::string compact;      // the words joined, for letters typed one by one
  };
  struct Hit {
    int token;
    bool fuzzy;  // matched within one typo, not exactly
  };

  int token_id(const std::string& token);
  void lookup(const std::string& key, bool query_deleted, std::vector<Hit>& out) const;
  void candidates(const std::string& word, std::vector<Hit>& out) const;
  static bool matches(const std::vector<std::vector<Hit>>& hits, std::size_t at, const Phrase& p);
  // Calls found(phrase index, where) for every phrase starting at each word; `where` is
  // the word's index, or position[index] when given.
  template <class Found>
  void match_words(const std::vector<std::string>& words, const std::vector<std::size_t>* position, Found& found) const;
  // Calls found(phrase index, first word) for every phrase at every place it starts,
  // letters typed one by one included.
  template <class Found>
  void scan(const std::vector<std::string>& words, Found&& found) const;

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int> token_ids_;
  std::vector<std::string> prefixes_;
  std::vector<std::vector<std::string>> prefix_deletions_;  // each prefix without one letter, squeezed
  // Every token under itself and under each of its one-letter deletions (squeezed).
  std::unordered_map<std::string, std::vector<std::pair<int, bool>>> index_;
  std::vector<Phrase> phrases_;
  std::unordered_map<int, std::vector<std::size_t>> by_first_;
};

}  // namespace bounceback::safety
