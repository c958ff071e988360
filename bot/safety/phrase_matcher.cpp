#include "bot/safety/phrase_matcher.hpp"

#include <algorithm>

#include "bot/safety/text_normalizer.hpp"

namespace bounceback::safety {

namespace {

constexpr std::size_t kFuzzyInPhrase = 4;  // shortest word forgiven a typo inside a longer phrase
constexpr std::size_t kFuzzyAlone = 6;     // ... in a phrase of one word ("rape" must not match "rate")

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; }

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (out.empty() || out.back() != c || !is_letter(c)) out += c;
  return out;
}

// The letters a number stands for: "70" -> "to", "4" -> "a".
std::string digits_as_letters(const std::string& word) {
  static const char map[] = "oizeasbtbg";  // 0 1 2 3 4 5 6 7 8 9
  std::string out;
  for (char c : word) {
    if (c < '0' || c > '9') return {};
    out += map[c - '0'];
  }
  return squeeze(out);
}

// Damerau distance <= 1: the same, one letter changed, one more or less, or two swapped.
bool within_one(std::string_view a, std::string_view b) {
  if (a == b) return true;
  if (a.size() == b.size()) {
    std::size_t i = 0;
    while (a[i] == b[i]) ++i;
    if (a.substr(i + 1) == b.substr(i + 1)) return true;                                                       // changed
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);  // swapped
  }
  if (a.size() + 1 == b.size()) std::swap(a, b);
  if (a.size() != b.size() + 1) return false;
  std::size_t i = 0;
  while (i < b.size() && a[i] == b[i]) ++i;
  return a.substr(i + 1) == b.substr(i);  // one letter more in a
}

// True when `word` starts with `prefix` or with something one typo away from it.
bool prefix_within_one_typo(const std::string& prefix, const std::vector<std::string>& deletions,
                            const std::string& word) {
  if (word.rfind(prefix, 0) == 0) return true;
  if (prefix.size() < 5) return false;
  for (std::size_t n = prefix.size() - 1; n <= prefix.size() + 1; ++n)
    if (word.size() >= n && within_one(prefix, std::string_view(word).substr(0, n))) return true;
  // A letter left out next to a double letter, squeezed away: "suiidal" -> "suidal".
  for (const auto& deleted : deletions)
    if (deleted.size() + 1 < prefix.size() && word.rfind(deleted, 0) == 0) return true;
  return false;
}

bool single_letter(const std::string& w) { return w.size() == 1 && w[0] >= 'a' && w[0] <= 'z'; }

}  // namespace

int PhraseMatcher::token_id(const std::string& token) {
  auto it = token_ids_.find(token);
  if (it != token_ids_.end()) return it->second;
  int id = static_cast<int>(tokens_.size());
  tokens_.push_back(token);
  token_ids_.emplace(token, id);
  index_[token].push_back({id, false});
  if (token.size() >= kFuzzyInPhrase)
    for (std::size_t i = 0; i < token.size(); ++i)
      index_[squeeze(token.substr(0, i) + token.substr(i + 1))].push_back({id, true});
  return id;
}

bool PhraseMatcher::add(std::string_view phrase, int tag) { return add(phrase, tag, true); }

bool PhraseMatcher::add(std::string_view phrase, int tag, bool forgive_typos) {
  std::string text(phrase);
  bool trailing_star = !text.empty() && text.back() == '*';
  if (trailing_star) text.pop_back();
  return add_words(normalize_words(text), trailing_star, tag, forgive_typos);
}

bool PhraseMatcher::add_words(const std::vector<std::string>& words, bool trailing_star, int tag, bool forgive_typos) {
  if (words.empty()) return false;
  Phrase p;
  p.tag = tag;
  for (std::size_t i = 0; i < words.size(); ++i) {
    p.compact += words[i];
    std::size_t fuzzy_from = words.size() > 1 ? kFuzzyInPhrase : kFuzzyAlone;
    p.fuzzy.push_back(forgive_typos && words[i].size() >= fuzzy_from);
    if (trailing_star && i + 1 == words.size()) {
      prefixes_.push_back(words[i]);
      std::vector<std::string> deletions;
      for (std::size_t k = 0; k < words[i].size(); ++k) {
        std::string d = squeeze(words[i].substr(0, k) + words[i].substr(k + 1));
        if (d.size() >= 4) deletions.push_back(d);
      }
      prefix_deletions_.push_back(std::move(deletions));
      p.tokens.push_back(-static_cast<int>(prefixes_.size()));
    } else {
      p.tokens.push_back(token_id(words[i]));
    }
  }
  by_first_[p.tokens.front()].push_back(phrases_.size());
  phrases_.push_back(std::move(p));
  return true;
}

void PhraseMatcher::lookup(const std::string& key, bool query_deleted, std::vector<Hit>& out) const {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  for (const auto& [token, indexed_deleted] : it->second) out.push_back({token, query_deleted || indexed_deleted});
}

void PhraseMatcher::candidates(const std::string& word, std::vector<Hit>& out) const {
  out.clear();
  lookup(word, false, out);
  if (auto letters = digits_as_letters(word); !letters.empty()) lookup(letters, false, out);
  if (word.size() + 1 >= kFuzzyInPhrase) {
    // Each one-letter deletion of a squeezed word; only where it joins two equal letters
    // does it need squeezing again (and then by dropping one more).
    std::string deletion;
    deletion.reserve(word.size());
    for (std::size_t i = 0; i < word.size(); ++i) {
      bool joins = i > 0 && i + 1 < word.size() && word[i - 1] == word[i + 1] && is_letter(word[i + 1]);
      deletion.assign(word, 0, i);
      deletion.append(word, i + (joins ? 2 : 1), std::string::npos);
      std::size_t before = out.size();
      lookup(deletion, true, out);
      // A deletion of each side meeting in the middle may be two typos apart ("sort" and
      // "shot": sot): keep only what is one typo away, as promised ("sort them" is no
      // "shoot them"). Where the deletion joined two letters, it stands for one already.
      if (!joins)
        out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(before), out.end(),
                                 [&](const Hit& h) { return !within_one(word, tokens_[static_cast<std::size_t>(h.token)]); }),
                  out.end());
    }
  }
  for (std::size_t i = 0; i < prefixes_.size(); ++i)
    if (prefix_within_one_typo(prefixes_[i], prefix_deletions_[i], word)) out.push_back({-static_cast<int>(i) - 1, false});
}

bool PhraseMatcher::matches(const std::vector<std::vector<Hit>>& hits, std::size_t at, const Phrase& p) {
  if (at + p.tokens.size() > hits.size()) return false;
  for (std::size_t k = 0; k < p.tokens.size(); ++k) {
    const auto& here = hits[at + k];
    bool ok = std::any_of(here.begin(), here.end(),
                          [&](const Hit& h) { return h.token == p.tokens[k] && (!h.fuzzy || p.fuzzy[k]); });
    if (!ok) return false;
  }
  return true;
}

template <class Found>
void PhraseMatcher::match_words(const std::vector<std::string>& words, const std::vector<std::size_t>* position,
                                Found& found) const {
  std::vector<std::vector<Hit>> hits(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) candidates(words[i], hits[i]);
  for (std::size_t i = 0; i < words.size(); ++i)
    for (const auto& h : hits[i]) {
      auto it = by_first_.find(h.token);
      if (it == by_first_.end()) continue;
      for (std::size_t p : it->second)
        if (matches(hits, i, phrases_[p])) found(p, position ? (*position)[i] : i);
    }
}

template <class Found>
void PhraseMatcher::scan(const std::vector<std::string>& words, Found&& found) const {
  match_words(words, nullptr, found);

  // Letters typed one by one: read each run of three or more as one word, and also look
  // for whole phrases inside a run ("k i l l m y s e l f").
  std::vector<std::string> joined;
  std::vector<std::size_t> position;  // of each joined word in `words`
  bool any_run = false;
  for (std::size_t i = 0; i < words.size();) {
    std::size_t j = i;
    std::string run;
    while (j < words.size() && single_letter(words[j])) run += words[j++][0];
    if (j - i >= 3) {
      any_run = true;
      run = squeeze(run);
      for (std::size_t p = 0; p < phrases_.size(); ++p)
        if (phrases_[p].compact.size() >= 4 && run.find(phrases_[p].compact) != std::string::npos) found(p, i);
      joined.push_back(std::move(run));
      position.push_back(i);
      i = j;
    } else {
      joined.push_back(words[i]);
      position.push_back(i);
      ++i;
    }
  }
  if (any_run) match_words(joined, &position, found);
}

std::optional<int> PhraseMatcher::find(const std::vector<std::string>& words) const {
  std::optional<int> best;
  scan(words, [&](std::size_t p, std::size_t) {
    if (!best || phrases_[p].tag < *best) best = phrases_[p].tag;
  });
  return best;
}

void PhraseMatcher::find_all(const std::vector<std::string>& words, std::vector<Match>& out) const {
  scan(words, [&](std::size_t p, std::size_t at) {
    out.push_back({phrases_[p].tag, at, std::min(words.size(), at + phrases_[p].tokens.size())});
  });
}

}  // namespace bounceback::safety
