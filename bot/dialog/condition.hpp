#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bounceback::dialog {

// A branch condition: "VARIABLE", "not VARIABLE" or "VARIABLE OP VALUE" with OP one of
// == != < <= > >=. Numbers compare as numbers, everything else as text. A variable that is
// not set is empty text (and 0 in a numeric comparison).
struct Condition {
  enum class Op { is_set, not_set, eq, ne, lt, le, gt, ge };
  std::string variable;
  Op op = Op::is_set;
  std::string value;

  // Looks a variable up; nullopt when it is not set.
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;
  bool holds(const Lookup& lookup) const;
};

// Parses the text of an `if:`; nullopt with `error` set when it is not a condition.
std::optional<Condition> parse_condition(std::string_view text, std::string& error);

bool is_variable_name(std::string_view name);  // letters, digits, _ and . ; not starting with a digit

}  // namespace bounceback::dialog
