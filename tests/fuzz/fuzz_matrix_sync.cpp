// libFuzzer target: any bytes as a Matrix /sync answer, an error body and power levels.
#include <cstddef>
#include <cstdint>
#include <string>

#include "connectors/matrix/matrix_sync.hpp"

using namespace bounceback::matrix;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string why;
  (void)parse_sync(body, &why);
  (void)parse_error(429, body);
  (void)parse_power_levels(body);
  (void)choice_for(body, {{"a", "Yes"}, {"b", "No"}});
  return 0;
}
