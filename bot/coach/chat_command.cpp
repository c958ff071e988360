#include "bot/coach/chat_command.hpp"

#include <array>
#include <cctype>

namespace bounceback::coach {

namespace {

// Commands that may be typed without the slash: they take no arguments, so a whole
// message of exactly that word cannot be anything else.
constexpr std::array<std::string_view, 13> kBareWords = {"start", "menu",  "help",   "steps",  "nudges",
                                                         "stop",  "pause", "resume", "export", "forget", "mood",
                                                         "journal", "progress"};

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<ChatCommand> parse_chat_command(std::string_view text) {
  std::string t = trim(text);
  if (t.size() > 1 && t[0] == '/') {
    auto space = t.find_first_of(" \t\n");
    std::string name = lower(t.substr(1, space == std::string::npos ? std::string::npos : space - 1));
    // Telegram appends the bot's name in groups: /menu@bounceback_bot
    if (auto at = name.find('@'); at != std::string::npos) name.resize(at);
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return std::nullopt;
    return ChatCommand{name, space == std::string::npos ? "" : trim(t.substr(space))};
  }
  std::string word = lower(t);
  if (!word.empty() && (word.back() == '.' || word.back() == '!')) word.pop_back();
  for (auto bare : kBareWords)
    if (word == bare) return ChatCommand{word, ""};
  return std::nullopt;
}

}  // namespace bounceback::coach
