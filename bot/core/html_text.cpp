#include "bot/core/html_text.hpp"

namespace bounceback::core {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string first_line_bold_html(std::string_view text) {
  auto newline = text.find('\n');
  std::string html = "<b>" + escape_html(text.substr(0, newline)) + "</b>";
  if (newline != std::string_view::npos) html += escape_html(text.substr(newline));
  return html;
}

}  // namespace bounceback::core
