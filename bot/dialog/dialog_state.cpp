#include "bot/dialog/dialog_state.hpp"

#include <nlohmann/json.hpp>

namespace bounceback::dialog {

using nlohmann::json;

std::string DialogState::to_json() const {
  json stack_json = json::array();
  for (const auto& f : stack) stack_json.push_back({{"tree", f.tree}, {"node", f.node}});
  json j = {{"tree", tree},   {"node", node},     {"waiting", waiting},          {"stack", stack_json},
            {"vars", vars},   {"visits", visits}, {"recent_variants", recent_variants}, {"turns", turns},
            {"onboarded", onboarded}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

DialogState DialogState::from_json(const std::string& text) {
  DialogState s;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return s;
  try {
    s.tree = j.value("tree", "");
    s.node = j.value("node", "");
    s.waiting = j.value("waiting", false);
    for (const auto& f : j.value("stack", json::array())) s.stack.push_back({f.value("tree", ""), f.value("node", "")});
    s.vars = j.value("vars", std::map<std::string, std::string>{});
    s.visits = j.value("visits", std::map<std::string, int>{});
    s.recent_variants = j.value("recent_variants", std::map<std::string, std::vector<int>>{});
    s.turns = j.value("turns", std::uint64_t{0});
    s.onboarded = j.value("onboarded", false);
  } catch (const json::exception&) {
    return DialogState{};  // a state this version cannot read starts over rather than crash
  }
  return s;
}

}  // namespace bounceback::dialog
