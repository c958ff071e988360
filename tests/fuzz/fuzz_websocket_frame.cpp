// libFuzzer target: any bytes as a text frame from a web chat client.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/websocket/websocket_protocol.hpp"

using namespace bounceback::websocket;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto frame = parse_client_frame(std::string_view(reinterpret_cast<const char*>(data), size));
  if (frame.type == ClientFrame::Type::invalid) (void)encode_error("bad_request", frame.error);
  return 0;
}
