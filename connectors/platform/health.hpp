#pragma once
#include <mutex>
#include <string>

namespace bounceback::platform {

// What keeps a connector from working (a refused token, a failed login), for /healthz: set
// on the connector's strand, read from the HTTP server's. Empty when all is well.
class Health {
 public:
  void set(std::string problem) {
    std::lock_guard lock(mutex_);
    problem_ = std::move(problem);
  }
  void clear() { set(""); }
  std::string problem() const {
    std::lock_guard lock(mutex_);
    return problem_;
  }

 private:
  mutable std::mutex mutex_;
  std::string problem_;
};

}  // namespace bounceback::platform
