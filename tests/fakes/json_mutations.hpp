#pragma once
// Documents that differ from a valid one in one place: each value, at any depth, replaced
// by a value of every other JSON type. For parsers of outside input, which must read each
// as malformed and never throw.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bounceback::testing {

struct JsonMutation {
  std::string pointer;  // where, as a JSON pointer ("/message/from/is_bot")
  nlohmann::json replacement;
  nlohmann::json document;
};

inline void collect_pointers(const nlohmann::json& j, const nlohmann::json::json_pointer& at,
                             std::vector<nlohmann::json::json_pointer>& out) {
  if (j.is_object())
    for (const auto& [key, value] : j.items()) collect_pointers(value, at / key, out);
  else if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) collect_pointers(j[i], at / i, out);
  if (!at.empty()) out.push_back(at);
}

inline std::vector<JsonMutation> wrong_type_mutations(const nlohmann::json& valid) {
  using nlohmann::json;
  const std::vector<json> values = {json("no"), json(3), json(2.5), json(true), json(nullptr),
                                    json::array({1}), json::object({{"a", 1}})};
  std::vector<json::json_pointer> pointers;
  collect_pointers(valid, json::json_pointer(), pointers);
  std::vector<JsonMutation> out;
  for (const auto& pointer : pointers)
    for (const auto& value : values) {
      if (valid.at(pointer).type() == value.type()) continue;
      json changed = valid;
      changed[pointer] = value;
      out.push_back({pointer.to_string(), value, std::move(changed)});
    }
  return out;
}

}  // namespace bounceback::testing
