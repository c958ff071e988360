#include "bot/safety/zone_country.hpp"

#include <date/tz.h>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace bounceback::safety {

namespace {
const std::map<std::string, std::string>& zone_table() {
  static const std::map<std::string, std::string> table = [] {
    std::map<std::string, std::string> t;
    std::ifstream in("/usr/share/zoneinfo/zone.tab");
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string country, coordinates, zone;
      if (fields >> country >> coordinates >> zone) t.emplace(zone, country);
    }
    return t;
  }();
  return table;
}
}  // namespace

std::string country_for_zone(const std::string& zone) {
  if (zone.empty()) return {};
  const auto& table = zone_table();
  if (auto it = table.find(zone); it != table.end()) return it->second;
  try {  // a link such as US/Eastern: its target zone is in the table
    std::string target(date::locate_zone(zone)->name());
    if (auto it = table.find(target); it != table.end()) return it->second;
  } catch (const std::exception&) {
  }
  return {};
}

}  // namespace bounceback::safety
