#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bot/coach/nudge_rules.hpp"
#include "bot/core/inbox.hpp"

namespace boost::asio {
class io_context;
}
namespace bounceback::core {
class Clock;
class Connector;
class Metrics;
}  // namespace bounceback::core
namespace bounceback::store {
class Store;
}
namespace bounceback::coach {
class Coach;
}
namespace bounceback::dialog {
struct DialogSet;
}
namespace bounceback::safety {
struct SafetyPolicy;
}

namespace bounceback::app {

// The one place domain state lives, run on a single strand: identifies people, asks the
// coach what to answer, commits the outcome, then hands the messages to connectors.
class Core final : public core::Inbox {
 public:
  struct Settings {
    std::string default_timezone = "UTC";
    std::string default_country;
    std::vector<std::string> help_directory;
    std::shared_ptr<const safety::SafetyPolicy> safety;  // required
    int retention_days = 365;              // inactive people are deleted after this
    int unfinished_onboarding_days = 30;   // people who never finished onboarding, sooner
    coach::NudgeRules nudge_rules;
    bool manual_clock = false;  // time moves only by run_due() after the test clock moved: no timer
    std::chrono::minutes cache_idle{30};  // people untouched this long leave the cache (evict_idle)
    // A person not cached is read on a thread of its own, not on the core's strand (the
    // daemon; unit tests on the fake store read at once).
    bool read_off_strand = false;
  };

  Core(boost::asio::io_context& io, store::Store& store, const core::Clock& clock, core::Metrics& metrics,
       coach::Coach& coach, Settings settings);
  ~Core() override;

  void attach(core::Connector& connector);  // before start; keyed by name()

  void web_hello(std::string token, std::function<void(core::WebHelloResult)> done) override;
  void receive(core::Incoming message, Acknowledge committed = nullptr) override;
  void unreachable(core::Address who) override;
  void checkpoint(std::string key, std::string value, Acknowledge done) override;
  void delivered(core::Address to, std::vector<std::int64_t> outbox_ids) override;

  // Sends what fell due (nudges, check-ins), then arms the one timer for the next item.
  // `done` runs once everything sent has been committed and handed to the connectors.
  // Called once at start (missed work after downtime) and after the test clock moved.
  void run_due(std::function<void()> done = nullptr);

  // Drops from the cache the people nobody touched for Settings::cache_idle, once every
  // write for them is committed (they are read from the store again when next needed):
  // memory follows the active people, not everyone seen since start.
  void evict_idle(std::function<void()> done = nullptr);

  // Hands a connector what was committed for its people but never confirmed sent (after a
  // restart); nudges past their lateness are retired instead.
  void redeliver(const std::string& connector);

  // Deletes the people the retention settings no longer allow to keep; `done` after.
  void sweep_retention(std::function<void()> done = nullptr);

  // `done` runs on the core strand once everything submitted so far has committed.
  void flush(std::function<void()> done);

  // New conversation trees for every message handled after this (SIGHUP).
  void replace_dialogs(std::shared_ptr<const dialog::DialogSet> dialogs);
  // New safety lists, replies and resources, likewise.
  void replace_safety(std::shared_ptr<const safety::SafetyPolicy> policy);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bounceback::app
