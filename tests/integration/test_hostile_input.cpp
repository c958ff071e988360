// Requests no well-behaved client sends, through the real binary: each is refused with a
// clear status and the daemon goes on answering everyone else.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"
#include "tests/fakes/test_clock.hpp"

using namespace bounceback::testing;

namespace {

// The daemon's resident memory in KiB, from /proc.
long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

std::string chunked_request_with_trailer(const std::string& trailer) {
  return "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n0\r\n" +
         trailer + "\r\n";
}

}  // namespace

TEST_CASE("a chunked request with a 64 KiB trailer field is refused with 431 and the daemon goes on", "[http][hostile]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  std::string big(64 * 1024, 'a');
  SECTION("a long value") {
    auto answer = raw_exchange(daemon.port(), chunked_request_with_trailer("X-Big: " + big + "\r\n"));
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 431"));
  }
  SECTION("a long name") {
    auto answer = raw_exchange(daemon.port(), chunked_request_with_trailer("X-" + big + ": 1\r\n"));
    CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 431"));
  }
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("trailers are bounded like headers: 20 MB of small trailer fields do not grow the daemon", "[http][hostile]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  long before = resident_kib(daemon.pid());
  std::string fields;
  std::string value(1000, 'v');
  for (int i = 0; i < 20000; ++i) fields += "X-F" + std::to_string(i) + ": " + value + "\r\n";
  auto answer = raw_exchange(daemon.port(), chunked_request_with_trailer(fields));
  CHECK_THAT(answer, Catch::StartsWith("HTTP/1.1 431"));
  long after = resident_kib(daemon.pid());
  INFO("resident before " << before << " KiB, after " << after << " KiB");
  CHECK(after - before < 8 * 1024);
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("headers past the limit get 431, not a dropped connection", "[http][hostile]") {
  TempDir data;
  DaemonProcess daemon(data.path());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 40; ++i) request += "X-H" + std::to_string(i) + ": " + std::string(1000, 'h') + "\r\n";
  request += "\r\n";
  CHECK_THAT(raw_exchange(daemon.port(), request), Catch::StartsWith("HTTP/1.1 431"));
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
}

namespace {

// The daemon's CPU time so far (user and system), from /proc.
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(stat)), {});
  std::istringstream fields(all.substr(all.rfind(')') + 2));  // after the command name
  std::string field;
  long ticks = 0;
  for (int i = 3; fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stol(field);
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

TEST_CASE("out of file descriptors, the accept loop waits instead of spinning and recovers", "[http][hostile]") {
  TempDir data;
  // The daemon under a limit of 64 open files (prlimit runs it in its own place).
  DaemonProcess daemon(DaemonProcess::Peer{
      "prlimit",
      {"--nofile=64:64", DaemonProcess::binary(), "run", "--config", DaemonProcess::default_config(), "--set",
       "http.listen=127.0.0.1:0", "--set", "data_dir=" + data.path()}});
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> held;
  for (int i = 0; i < 100; ++i) {
    held.emplace_back(io);
    held.back().connect({boost::asio::ip::make_address("127.0.0.1"), daemon.port()});  // the backlog takes them
  }
  REQUIRE(daemon.wait_for_log(std::regex("accept failed"), std::chrono::seconds(10)));
  double cpu_before = cpu_seconds(daemon.pid());
  // Two seconds with the limit reached: a spinning loop burns a core and logs thousands of lines.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  double cpu_used = cpu_seconds(daemon.pid()) - cpu_before;
  CHECK(cpu_used < 0.5);
  std::string log = daemon.log();
  std::size_t warnings = 0;
  for (std::size_t at = log.find("accept failed"); at != std::string::npos; at = log.find("accept failed", at + 1)) ++warnings;
  CHECK(warnings <= 2);
  held.clear();  // the sessions end, descriptors come back
  CHECK(http_request(daemon.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("the test clock refuses a step past a hundred years instead of overflowing", "[http][hostile][admin]") {
  TempDir data;
  DaemonProcess daemon(data.path(), manual_clock_args("2026-03-10T09:00:00Z"), {kAdminTokenEnv});
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer s3cret"}};
  for (const char* body : {R"({"advance_s":1e300})", R"({"advance_s":-1})", R"({"advance_s":4e9})"})
    CHECK(http_request(daemon.port(), "POST", "/admin/clock", body, auth).status == 400);
  auto ok = http_request(daemon.port(), "POST", "/admin/clock", R"({"advance_s":86400})", auth);
  CHECK(ok.status == 200);
  CHECK_THAT(ok.body, Catch::Contains("2026-03-11T09:00:00"));
}
