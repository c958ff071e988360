#pragma once
#include <string>
#include <string_view>

namespace bounceback::core {

// Text for HTML message formats (Telegram's parse mode, Matrix's formatted_body): <, >
// and & escaped, which is all element content needs.
std::string escape_html(std::string_view text);

// A celebration or safety message as HTML: its first line in bold, all of it escaped;
// line breaks stay "\n" (Matrix turns them into <br> itself).
std::string first_line_bold_html(std::string_view text);

}  // namespace bounceback::core
