#include "bot/dialog/template_text.hpp"

#include "bot/dialog/condition.hpp"

namespace bounceback::dialog {

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// Calls `on_hole` for each hole and `on_text` for the text between them.
template <typename OnText, typename OnHole>
bool scan(std::string_view text, OnText on_text, OnHole on_hole, std::string& error) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      on_text(text.substr(pos));
      return true;
    }
    on_text(text.substr(pos, open - pos));
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      error = "\"{{\" is not closed with \"}}\"";
      return false;
    }
    std::string_view inside = text.substr(open + 2, close - open - 2);
    TemplateHole hole;
    hole.offset = open;
    auto bar = inside.find('|');
    hole.variable = trim(inside.substr(0, bar));
    if (bar != std::string_view::npos) hole.fallback = trim(inside.substr(bar + 1));
    if (!is_variable_name(hole.variable)) {
      error = "\"" + hole.variable + "\" in {{...}} is not a variable name";
      return false;
    }
    on_hole(hole);
    pos = close + 2;
  }
  return true;
}

}  // namespace

std::vector<TemplateHole> template_holes(std::string_view text, std::string& error) {
  std::vector<TemplateHole> holes;
  scan(text, [](std::string_view) {}, [&](const TemplateHole& h) { holes.push_back(h); }, error);
  return holes;
}

std::string render_template(std::string_view text,
                            const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  std::string out;
  std::string error;
  bool ok = scan(
      text, [&](std::string_view part) { out += part; },
      [&](const TemplateHole& h) {
        auto value = lookup(h.variable);
        if (value && !value->empty()) out += *value;
        else out += h.fallback.value_or("");
      },
      error);
  return ok ? out : std::string(text);  // the checker refuses such text; never show half of it
}

}  // namespace bounceback::dialog
