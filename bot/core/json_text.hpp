#pragma once
#include <string>
#include <string_view>

namespace bounceback::core {

// Appends `text` as a JSON string literal ("..." with escapes). For the writers on the
// per-message path (goal journal, dialog state, websocket frames), where building a json
// tree first cost more than the work itself. Invalid UTF-8 is replaced (U+FFFD), never
// written as it came, so whatever is written reads back.
void append_json_string(std::string& out, std::string_view text);

}  // namespace bounceback::core
