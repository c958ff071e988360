// Requests no well-behaved client sends, through the real binary: each is refused with a
// clear status and the daemon goes on answering everyone else.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "tests/fakes/daemon_process.hpp"
#include "tests/fakes/http_test_client.hpp"

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
