// libFuzzer target: any bytes as the config file, and as one --set value. Every mistake is
// a ConfigError naming where it is; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bot/app/config_error.hpp"
#include "bot/app/config_loader.hpp"

using namespace bounceback::app;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)parse_config(text, "fuzz.yaml");
  } catch (const ConfigError&) {
  }
  try {
    (void)parse_config("", "empty.yaml", {text});
  } catch (const ConfigError&) {
  }
  return 0;
}
