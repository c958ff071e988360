#pragma once
#include <string_view>

namespace bounceback::websocket {

// The web chat page (web/index.html), built into the binary.
std::string_view web_page_html();

}  // namespace bounceback::websocket
