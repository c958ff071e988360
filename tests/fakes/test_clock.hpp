#pragma once
#include <string>
#include <vector>

#include "tests/fakes/daemon_process.hpp"

namespace bounceback::testing {

// The manual test clock of a daemon under test (README "HTTP endpoints", /admin/clock).
inline const std::string kAdminTokenEnv = "BOUNCEBACK_ADMIN_TOKEN=s3cret";  // for the environment

// --set arguments for a manual clock starting at `start` (ISO-8601).
std::vector<std::string> manual_clock_args(const std::string& start);

// POST /admin/clock {"set": iso}: everything that fell due is handed over before it answers.
// The test fails when it does not answer 200; with the daemon's log when it did not answer.
void set_clock(const DaemonProcess& daemon, const std::string& iso);

// POST /admin/store {"fail_commits": n}: the daemon's next n group commits fail as on a
// full disk (with the manual clock and the admin token only).
void fail_commits(const DaemonProcess& daemon, int n);

// POST /admin/store {"disk_full": full}: from now on a write that would grow one of the
// database's files fails as on a full disk (false: the space is back).
void fill_disk(const DaemonProcess& daemon, bool full);

}  // namespace bounceback::testing
