#include "bot/dialog/condition.hpp"

#include <cctype>
#include <charconv>
#include <sstream>
#include <vector>

namespace bounceback::dialog {

namespace {

std::optional<double> as_number(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) return v.substr(1, v.size() - 2);
  return v;
}

}  // namespace

bool is_variable_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  return true;
}

std::optional<Condition> parse_condition(std::string_view text, std::string& error) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  Condition c;
  if (words.size() == 1) {
    c.variable = words[0];
    c.op = Condition::Op::is_set;
  } else if (words.size() == 2 && words[0] == "not") {
    c.variable = words[1];
    c.op = Condition::Op::not_set;
  } else if (words.size() >= 3) {
    c.variable = words[0];
    static const std::pair<const char*, Condition::Op> ops[] = {
        {"==", Condition::Op::eq}, {"!=", Condition::Op::ne}, {"<", Condition::Op::lt},
        {"<=", Condition::Op::le}, {">", Condition::Op::gt},  {">=", Condition::Op::ge}};
    bool found = false;
    for (auto [name, op] : ops)
      if (words[1] == name) {
        c.op = op;
        found = true;
      }
    if (!found) {
      error = "unknown comparison \"" + words[1] + "\" (use == != < <= > >=)";
      return std::nullopt;
    }
    std::string rest;
    for (std::size_t i = 2; i < words.size(); ++i) rest += (i > 2 ? " " : "") + words[i];
    c.value = unquote(rest);
  } else {
    error = "expected a condition such as \"steps_done >= 1\", \"name\" or \"not name\"";
    return std::nullopt;
  }
  if (!is_variable_name(c.variable)) {
    error = "\"" + c.variable + "\" is not a variable name";
    return std::nullopt;
  }
  return c;
}

bool Condition::holds(const Lookup& lookup) const {
  auto found = lookup(variable);
  bool set = found && !found->empty() && *found != "0" && *found != "false";
  switch (op) {
    case Op::is_set: return set;
    case Op::not_set: return !set;
    default: break;
  }
  std::string actual = found.value_or("");
  auto a = as_number(actual.empty() ? "0" : actual);
  auto b = as_number(value);
  int order;
  if (a && b) order = *a < *b ? -1 : (*a > *b ? 1 : 0);
  else order = actual.compare(value) < 0 ? -1 : (actual == value ? 0 : 1);
  switch (op) {
    case Op::eq: return order == 0;
    case Op::ne: return order != 0;
    case Op::lt: return order < 0;
    case Op::le: return order <= 0;
    case Op::gt: return order > 0;
    case Op::ge: return order >= 0;
    default: return false;
  }
}

}  // namespace bounceback::dialog
