#pragma once
#include <chrono>
#include <cstddef>

namespace bounceback::websocket {

// connectors.websocket in the config; the limits the README promises ("Websocket protocol").
struct WebsocketSettings {
  bool enabled = true;
  double rate_limit = 20;             // frames per second per connection; 0 = off
  int new_people_per_minute = 30;     // tokenless hellos per client IP; 0 = off
  std::size_t max_frame = 16 * 1024;  // larger: a too_large error, connection kept
  std::size_t close_frame = 1024 * 1024;  // larger: closed with 1009
  std::size_t send_queue = 256;       // frames waiting for a slow reader before it is cut off
  std::chrono::seconds idle_timeout{60};  // ping after this much silence; no pong in as long again: closed
};

}  // namespace bounceback::websocket
