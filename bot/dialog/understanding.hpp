#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bounceback::dialog {

// A best guess at least this likely is taken as what the person meant; below it they are
// told so and offered a few choices that may fit.
inline constexpr double kSureEnough = 0.5;

// One guess at what a typed message means: an intent or feeling named by a file of
// dialogs/understand/ (sad, overwhelmed, did_step, ...), and how sure the guess is.
struct IntentGuess {
  std::string intent;
  double probability = 0;
};

// Reads free text for the dialogs: where a question expects a choice and the person typed
// something else, the interpreter asks it what they meant. The trained classifier behind
// it lives in bot/understand; the dialogs only know this face of it.
class Understanding {
 public:
  virtual ~Understanding() = default;
  // The `count` likeliest intents, likeliest first.
  virtual std::vector<IntentGuess> guess(std::string_view text, int count) const = 0;

  // The likeliest intent when it is sure enough (kSureEnough), else nothing.
  std::optional<std::string> sure_intent(std::string_view text) const {
    auto guesses = guess(text, 1);
    if (guesses.empty() || guesses.front().probability < kSureEnough) return std::nullopt;
    return guesses.front().intent;
  }

  // Greetings, thanks, goodbyes, "not now" and filler ("hmm", "ok"): words that carry no
  // answer or topic of their own.
  static bool says_nothing(const std::string& intent) {
    return intent == "hello" || intent == "thanks" || intent == "bye" || intent == "not_now" || intent == "unclear";
  }
};

}  // namespace bounceback::dialog
