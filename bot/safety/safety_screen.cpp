#include "bot/safety/safety_screen.hpp"

#include <algorithm>
#include <cctype>
#include <span>

#include "bot/safety/risk_classifier.hpp"
#include "bot/safety/text_normalizer.hpp"

namespace bounceback::safety {

namespace {

int index_in(const std::vector<std::string>& names, const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

// Sentences end at . ! ? ; before a space or the end, and at line breaks: rules look for
// their concepts inside one ("k!ll" and "3.5" are no sentence ends).
std::vector<std::string> sentences_of(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool at_break = i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n' || text[i + 1] == '\t';
    if (c == '\n' || ((c == '.' || c == '!' || c == '?' || c == ';') && at_break)) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

}  // namespace

// What one sentence (or, merged, the whole message) holds.
struct SafetyScreen::Found {
  std::vector<bool> concepts;
  std::vector<bool> categories;  // a category's explicit phrase
  bool coping = false;

  Found(std::size_t n_concepts, std::size_t n_categories) : concepts(n_concepts), categories(n_categories) {}
  bool has(int lexicon_name) const { return lexicon_name >= 0 && concepts[static_cast<std::size_t>(lexicon_name)]; }
  void merge(const Found& other) {
    for (std::size_t i = 0; i < concepts.size(); ++i) concepts[i] = concepts[i] || other.concepts[i];
    for (std::size_t i = 0; i < categories.size(); ++i) categories[i] = categories[i] || other.categories[i];
    coping = coping || other.coping;
  }
};

int SafetyScreen::entry_for(Entry::Type type, int index) {
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].type == type && entries_[i].index == index) return static_cast<int>(i);
  entries_.push_back({type, index});
  return static_cast<int>(entries_.size() - 1);
}

void SafetyScreen::add_phrase(Pack& pack, const std::string& phrase, int tag) {
  // As written, and as stems, so one entry covers its word forms. Typos are forgiven in
  // the category phrases as written only: a concept's short words and stems are often
  // one letter from everyday words ("ending" / "wedding").
  bool phrase_list = entries_[static_cast<std::size_t>(tag)].type != Entry::Type::lexicon;
  pack.matcher.add(phrase, tag, phrase_list);
  bool prefix = !phrase.empty() && phrase.back() == '*';
  if (prefix) return;  // a prefix already covers the forms
  auto stemmed = normalize_and_stem(phrase, pack.locale);
  if (stemmed.stems != stemmed.words) pack.matcher.add_words(stemmed.stems, false, tag, false);
}

SafetyScreen::SafetyScreen(const SafetyPolicy& policy) : policy_(policy) {
  for (const auto& c : policy.categories) categories_.push_back(c.id);
  for (const auto& lang : policy.languages)
    for (const auto& [lexicon_name, phrases] : lang.lexicons)
      if (index_in(concepts_, lexicon_name) < 0) concepts_.push_back(lexicon_name);

  for (std::size_t l = 0; l < policy.languages.size(); ++l) {
    const auto& lang = policy.languages[l];
    Pack pack;
    pack.locale = lang.locale;
    for (const auto& [category, phrases] : lang.category_phrases) {
      int c = index_in(categories_, category);
      if (c < 0) continue;  // the loader reported it
      int tag = entry_for(Entry::Type::category, c);
      for (const auto& p : phrases) add_phrase(pack, p, tag);
    }
    for (const auto& [lexicon_name, phrases] : lang.lexicons) {
      int tag = entry_for(Entry::Type::lexicon, index_in(concepts_, lexicon_name));
      for (const auto& p : phrases) add_phrase(pack, p, tag);
    }
    int coping = entry_for(Entry::Type::coping, 0);
    for (const auto& p : lang.coping_risk) add_phrase(pack, p, coping);
    for (const auto& m : lang.markers)
      for (const auto& w : normalize_words(m)) markers_[w].push_back(l);
    packs_.push_back(std::move(pack));
  }

  auto ids = [&](const std::vector<std::string>& names) {
    std::vector<int> out;
    for (const auto& n : names) out.push_back(index_in(concepts_, n));
    return out;
  };
  for (const auto& r : policy.rules) rules_.push_back({&r, index_in(categories_, r.category), ids(r.all), ids(r.any), ids(r.none)});
  for (const auto& l : policy.lowerings) lowerings_.push_back({&l, ids(l.any), ids(l.unless)});
}

std::string SafetyScreen::language_of(std::string_view text) const { return language_of_words(normalize_words(text)); }

std::string SafetyScreen::language_of_words(const std::vector<std::string>& words) const {
  std::vector<int> votes(packs_.size());
  for (const auto& w : words) {
    auto it = markers_.find(w);
    if (it == markers_.end()) continue;
    for (std::size_t p : it->second) ++votes[p];
  }
  // The main language's lists are read with every message anyway, so a tie goes to the
  // other language: "me corto los brazos" has English's "me" and Spanish's "los".
  std::size_t best = 0;
  for (std::size_t p = 1; p < votes.size(); ++p)
    if (votes[p] > 0 && votes[p] >= votes[best] && (best == 0 || votes[p] > votes[best])) best = p;
  return packs_.empty() ? policy_.locale : packs_[best].locale;
}

void SafetyScreen::find_in(const std::string& sentence, const Pack& pack, Found& found) const {
  auto text = normalize_and_stem(sentence, pack.locale);
  std::vector<PhraseMatcher::Match> matches;
  pack.matcher.find_all(text.words, matches);
  pack.matcher.find_all(text.stems, matches);
  for (const auto& m : matches) {
    const Entry& e = entries_[static_cast<std::size_t>(m.tag)];
    switch (e.type) {
      case Entry::Type::category: found.categories[static_cast<std::size_t>(e.index)] = true; break;
      case Entry::Type::lexicon: found.concepts[static_cast<std::size_t>(e.index)] = true; break;
      case Entry::Type::coping: found.coping = true; break;
    }
  }
}

ScreenResult SafetyScreen::assess(std::string_view text, const Thresholds& thresholds) const {
  ScreenResult result;
  const auto words = normalize_words(text);  // for the language and the classifier, once
  result.language = language_of_words(words);
  // The message's own language, and the main one too: people mix in English words.
  std::vector<const Pack*> packs;
  for (const auto& p : packs_)
    if (p.locale == result.language) packs.push_back(&p);
  if (!packs_.empty() && packs_.front().locale != result.language) packs.push_back(&packs_.front());

  auto raise = [&](ScreenResult::Kind kind, const std::string& category, const std::string& reason) {
    if (kind <= result.kind) return;
    result.kind = kind;
    result.category = category;
    result.reason = reason;
  };

  // The classifier first: a rule that is not explicit needs its risk to reach rule_floor.
  // A command's name is no part of what was said ("/journal ..." screens its text).
  std::size_t command_words = !text.empty() && text.front() == '/' && !words.empty() ? 1 : 0;
  const std::span<const std::string> said = std::span<const std::string>(words).subspan(command_words);
  RiskClassifier::Prediction prediction;
  if (policy_.classifier) prediction = policy_.classifier->predict(said);
  const auto lettered = std::count_if(said.begin(), said.end(), [](const std::string& w) {
    return std::any_of(w.begin(), w.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); });
  });
  const bool classifier_may_answer = lettered >= policy_.classifier_min_words;
  result.classifier_may_answer = classifier_may_answer;
  const bool rules_may_fire = !policy_.classifier || prediction.risk >= thresholds.rule_floor;

  // The rules of one scope (a sentence, or the whole message) over what it holds.
  auto apply_rules = [&](const Found& found, bool whole_message, bool lowered, bool lowered_explicit) {
    auto has = [&](int c) { return found.has(c); };
    for (const auto& r : rules_) {
      if (r.rule->whole_message != whole_message) continue;
      if (r.rule->explicit_intent ? lowered_explicit : lowered) continue;
      if (!r.rule->explicit_intent && !rules_may_fire) continue;
      bool fires = std::all_of(r.all.begin(), r.all.end(), has) &&
                   (r.any.empty() || std::any_of(r.any.begin(), r.any.end(), has)) &&
                   std::none_of(r.none.begin(), r.none.end(), has);
      if (!fires) continue;
      result.rules_fired.push_back(r.rule->id);
      raise(r.rule->ask ? ScreenResult::Kind::ask : ScreenResult::Kind::crisis, r.rule->category, r.rule->id);
    }
  };

  Found whole(concepts_.size(), categories_.size());
  bool whole_lowered = false, whole_lowered_explicit = false;
  for (const auto& sentence : sentences_of(text)) {
    Found found(concepts_.size(), categories_.size());
    for (const Pack* p : packs) find_in(sentence, *p, found);
    bool lowered = false, lowered_explicit = false;
    for (const auto& l : lowerings_) {
      bool present = std::any_of(l.any.begin(), l.any.end(), [&](int c) { return found.has(c); }) ||
                     (l.lowering->classifier > 0 && prediction.context >= l.lowering->classifier &&
                      lettered >= l.lowering->min_words);
      bool kept = std::any_of(l.unless.begin(), l.unless.end(), [&](int c) { return found.has(c); });
      if (present && !kept) {
        lowered = true;
        lowered_explicit = lowered_explicit || l.lowering->explicit_too;
      }
    }
    whole_lowered = whole_lowered || lowered;
    whole_lowered_explicit = whole_lowered_explicit || lowered_explicit;
    // Category phrases: explicit, in precedence order.
    if (!lowered_explicit)
      for (std::size_t c = 0; c < categories_.size(); ++c)
        if (found.categories[c]) {
          raise(ScreenResult::Kind::crisis, categories_[c], "phrase");
          break;
        }
    apply_rules(found, false, lowered, lowered_explicit);
    whole.merge(found);
  }
  apply_rules(whole, true, whole_lowered, whole_lowered_explicit);

  if (policy_.classifier) {
    result.risk = prediction.risk;
    std::string category = policy_.category_of_kind(prediction.kind);
    if (category.empty() && !categories_.empty()) category = categories_.front();
    // A threshold of 1 means never: the risk may round to 1 without being certain.
    // Harmful coping that the lists name ("drinking to cope") is answered as coping, with
    // a professional at once: the classifier, which hears crisis words in it, only asks
    // when the lists found nothing.
    bool named_coping = whole.coping && !whole_lowered;
    if (!classifier_may_answer) {
      // Too few words: the lists alone answer.
    } else if (thresholds.crisis < 1 && prediction.risk >= thresholds.crisis) {
      raise(ScreenResult::Kind::crisis, category, "classifier");
    } else if (thresholds.ask < 1 && prediction.risk >= thresholds.ask && !named_coping) {
      // Someone else in danger is not asked about: "call your emergency number now if they
      // are unconscious..." holds even where the model read too much into the words, and
      // asking first would cost minutes.
      raise(category == "someone_else" ? ScreenResult::Kind::crisis : ScreenResult::Kind::ask, category, "classifier");
    }
  }
  if (whole.coping && !whole_lowered) raise(ScreenResult::Kind::coping_risk, "coping_risk", "phrase");
  return result;
}

ScreenResult SafetyScreen::screen(std::string_view text, const ScreenContext& context) const {
  const Thresholds& thresholds = context.after_crisis ? policy_.after_crisis : policy_.thresholds;
  ScreenResult result = assess(text, thresholds);
  if (context.previous.empty() || result.crisis()) return result;
  // A word or two before ("no", "ok", "Europe/Berlin": answers to the coach's questions)
  // adds nothing to read, but joined to the next message it could tip the model ("no" and
  // "I keep waking up at 4").
  if (normalize_words(context.previous).size() < 3) return result;
  // "I have the tablets here" then "tonight": read together, they may say what neither
  // says alone. Only what the two say beyond the previous one counts.
  std::string together(context.previous);
  while (!together.empty() && std::string_view(".!?;\n ").find(together.back()) != std::string_view::npos) together.pop_back();
  together += ' ';
  together += text;
  ScreenResult both = assess(together, thresholds);
  if (both.kind > result.kind && both.kind > assess(context.previous, thresholds).kind) {
    both.via_context = true;
    both.language = result.language;
    return both;
  }
  return result;
}

}  // namespace bounceback::safety
