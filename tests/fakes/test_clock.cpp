#include "tests/fakes/test_clock.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/fakes/http_test_client.hpp"

namespace bounceback::testing {

std::vector<std::string> manual_clock_args(const std::string& start) {
  return {"--set", "clock.mode=manual", "--set", "clock.start=\"" + start + "\""};
}

void set_clock(const DaemonProcess& daemon, const std::string& iso) {
  HttpResult r;
  try {
    r = http_request(daemon.port(), "POST", "/admin/clock", nlohmann::json{{"set", iso}}.dump(),
                     {{"Authorization", "Bearer s3cret"}});
  } catch (const std::exception& e) {
    FAIL("the clock call failed (" << e.what() << "); the daemon's log:\n" << daemon.log());
  }
  REQUIRE(r.status == 200);
}

void fail_commits(const DaemonProcess& daemon, int n) {
  auto r = http_request(daemon.port(), "POST", "/admin/store", nlohmann::json{{"fail_commits", n}}.dump(),
                        {{"Authorization", "Bearer s3cret"}});
  REQUIRE(r.status == 200);
}

void fill_disk(const DaemonProcess& daemon, bool full) {
  auto r = http_request(daemon.port(), "POST", "/admin/store", nlohmann::json{{"disk_full", full}}.dump(),
                        {{"Authorization", "Bearer s3cret"}});
  REQUIRE(r.status == 200);
}

}  // namespace bounceback::testing
