#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bounceback::dialog {

// Text with {{variable}} holes; {{variable|fallback}} gives the words to use when the
// variable is not set.
struct TemplateHole {
  std::string variable;
  std::optional<std::string> fallback;
  std::size_t offset;  // in the text, for error columns
};

// The holes of a text; `error` is set for an unclosed "{{" or a bad name.
std::vector<TemplateHole> template_holes(std::string_view text, std::string& error);

std::string render_template(std::string_view text,
                            const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace bounceback::dialog
