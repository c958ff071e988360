#pragma once
#include <string_view>

namespace bounceback::core {

// True for a message that changes a group's settings ("/checkin 19:00 Europe/Berlin",
// "/checkin@bot off"; not "/checkin" alone, which only shows them). Connectors ask the
// platform whether the sender is one of the group's admins before handing such a message
// over (Incoming::sender_role); the core decides everything else about it.
bool changes_group_settings(std::string_view text);

}  // namespace bounceback::core
