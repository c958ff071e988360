#include "bot/dialog/dialog_state.hpp"

#include "bot/core/json_text.hpp"

#include <nlohmann/json.hpp>

namespace bounceback::dialog {

using nlohmann::json;

// Written by hand: it runs after every turn, and building a json tree first was most of
// its cost (bench_load). from_json reads it back with nlohmann.
std::string DialogState::to_json() const {
  using core::append_json_string;
  std::string out;
  out.reserve(256);
  // {"key":value,...} of a map, each value written by `value`.
  auto object = [&out](const auto& map, auto value) {
    out += '{';
    bool first = true;
    for (const auto& [key, v] : map) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      value(v);
    }
    out += '}';
  };
  out += "{\"node\":";
  append_json_string(out, node);
  out += ",\"onboarded\":";
  out += onboarded ? "true" : "false";
  out += ",\"recent_variants\":";
  object(recent_variants, [&out](const std::vector<int>& list) {
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) out += (i ? "," : "") + std::to_string(list[i]);
    out += ']';
  });
  out += ",\"stack\":[";
  for (std::size_t i = 0; i < stack.size(); ++i) {
    if (i) out += ',';
    out += "{\"node\":";
    append_json_string(out, stack[i].node);
    if (stack[i].quiet) out += ",\"quiet\":true";
    out += ",\"tree\":";
    append_json_string(out, stack[i].tree);
    out += '}';
  }
  out += "],\"tree\":";
  append_json_string(out, tree);
  out += ",\"turns\":" + std::to_string(turns);
  out += ",\"vars\":";
  object(vars, [&out](const std::string& v) { append_json_string(out, v); });
  out += ",\"visits\":";
  object(visits, [&out](int count) { out += std::to_string(count); });
  out += ",\"waiting\":";
  out += waiting ? "true" : "false";
  out += '}';
  return out;
}

DialogState DialogState::from_json(const std::string& text) {
  DialogState s;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return s;
  try {
    s.tree = j.value("tree", "");
    s.node = j.value("node", "");
    s.waiting = j.value("waiting", false);
    for (const auto& f : j.value("stack", json::array()))
      s.stack.push_back({f.value("tree", ""), f.value("node", ""), f.value("quiet", false)});
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
