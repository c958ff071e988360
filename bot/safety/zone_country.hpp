#pragma once
#include <string>

namespace bounceback::safety {

// The country (ISO 3166 code) of an IANA time zone, from the system's tzdata zone.tab:
// "Europe/Berlin" -> "DE". Empty when unknown (UTC, or no zone.tab).
std::string country_for_zone(const std::string& zone);

}  // namespace bounceback::safety
