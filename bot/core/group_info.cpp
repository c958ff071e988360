#include "bot/core/group_info.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace bounceback::core {

namespace {
std::int64_t to_ms(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_ms(std::int64_t ms) { return TimePoint{std::chrono::milliseconds{ms}}; }
}  // namespace

void GroupInfo::add_win(SharedWin win) {
  wins.push_back(std::move(win));
  if (wins.size() > kMaxWins) wins.erase(wins.begin(), wins.end() - static_cast<std::ptrdiff_t>(kMaxWins));
}

void GroupInfo::forget_person(PersonId person) {
  std::erase_if(wins, [&](const SharedWin& w) { return w.person == person; });
  std::erase(answered, person);
  if (creator == person) creator = 0;
}

bool GroupInfo::shared(PersonId person, const std::string& key) const {
  return std::any_of(wins.begin(), wins.end(), [&](const SharedWin& w) { return w.person == person && w.key == key; });
}

std::string GroupInfo::to_json() const {
  if (!is_group) return "";
  nlohmann::json j = {{"creator", creator},     {"checkin_posted_ms", to_ms(checkin_posted)},
                      {"good", good},           {"ok", ok},
                      {"hard", hard},           {"answered", answered}};
  auto list = nlohmann::json::array();
  for (const auto& w : wins)
    list.push_back({{"person", w.person}, {"name", w.name}, {"step", w.step}, {"at_ms", to_ms(w.at)}, {"key", w.key}});
  j["wins"] = std::move(list);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

GroupInfo GroupInfo::from_json(const std::string& text) {
  GroupInfo g;
  if (text.empty()) return g;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return g;
  g.is_group = true;
  try {
    g.creator = j.value("creator", PersonId{0});
    g.checkin_posted = from_ms(j.value("checkin_posted_ms", std::int64_t{0}));
    g.good = j.value("good", 0);
    g.ok = j.value("ok", 0);
    g.hard = j.value("hard", 0);
    if (j.contains("answered") && j["answered"].is_array()) g.answered = j["answered"].get<std::vector<PersonId>>();
    if (j.contains("wins") && j["wins"].is_array())
      for (const auto& w : j["wins"])
        g.wins.push_back({w.value("person", PersonId{0}), w.value("name", ""), w.value("step", ""),
                          from_ms(w.value("at_ms", std::int64_t{0})), w.value("key", "")});
  } catch (const nlohmann::json::exception&) {
    // A hand-edited row: keep what was read; it is still a group.
  }
  return g;
}

}  // namespace bounceback::core
