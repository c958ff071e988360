#pragma once
#include <string>

namespace bounceback::core {
class ManualClock;
}
namespace bounceback::http {
class HttpServer;
}
namespace bounceback::store {
class SqliteStore;
}

namespace bounceback::app {

class Core;

// POST /admin/clock and /admin/store: the test clock moved, and the store made to fail on
// command. They exist only with the manual test clock and a token in `admin_token_env`.
void install_test_endpoints(http::HttpServer& server, const std::string& admin_token, core::ManualClock& clock,
                            Core& core, store::SqliteStore& store);

}  // namespace bounceback::app
