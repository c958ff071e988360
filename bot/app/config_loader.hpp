#pragma once
#include <string>
#include <vector>

#include "bot/app/config.hpp"

namespace bounceback::app {

// Reads a config file, applies --set overrides (KEY=VALUE, VALUE parsed as YAML) and
// validates every key. Throws ConfigError listing every problem found, not just the first.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from YAML text (tests); `source` names it in messages.
Config parse_config(const std::string& yaml_text, const std::string& source,
                    const std::vector<std::string>& overrides = {});

}  // namespace bounceback::app
