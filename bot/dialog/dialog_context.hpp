#pragma once
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bounceback::dialog {

// Values the templates and conditions may read besides the person's own variables
// (name, goal, steps_done, ... see builtin_variables()). Most are set before a turn
// (context["name"] = ...). Others come from a source that works a value out only when a
// template or condition reads it: a turn reads a handful of the forty or so names, and
// building all of them (the step list, the streak, the week's wins) for every message
// was a tenth of a busy daemon's time. A source reads the live goal book or settings,
// so what a dialog says after an action already sees the change.
class DialogContext {
 public:
  // The value of `key`, or nullopt when this source does not know the name.
  using Source = std::function<std::optional<std::string>(std::string_view key)>;

  DialogContext() = default;
  DialogContext(std::initializer_list<std::pair<const std::string, std::string>> values) : values_(values) {}

  // A set value (created empty when missing), as with a map.
  std::string& operator[](const std::string& key) { return values_[key]; }

  // The value of the first source that knows `key`, else the set value.
  std::optional<std::string> get(std::string_view key) const;
  // The same, empty when nobody knows `key`.
  std::string value(std::string_view key) const { return get(key).value_or(std::string()); }

  // Adds a source, consulted before the set values (it speaks for the live state, which
  // a value set earlier may no longer match); one added again under the same name
  // replaces the earlier one.
  void add_source(const std::string& name, Source source);

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::pair<std::string, Source>> sources_;
};

}  // namespace bounceback::dialog
