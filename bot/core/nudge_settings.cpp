#include "bot/core/nudge_settings.hpp"

#include "bot/core/minute_of_day.hpp"

namespace bounceback::core {

std::string NudgeSettings::times_text(const char* separator) const {
  std::string out;
  for (auto m : times) out += (out.empty() ? "" : separator) + format_minute(m);
  return out;
}

std::string NudgeSettings::quiet_hours_text() const {
  return has_quiet_hours() ? format_minute(quiet_from) + "-" + format_minute(quiet_to) : "";
}

}  // namespace bounceback::core
