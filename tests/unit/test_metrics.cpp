#include <catch2/catch.hpp>

#include "bot/core/metrics.hpp"

using bounceback::core::Metrics;

TEST_CASE("metrics render in the Prometheus text format", "[metrics]") {
  Metrics m;
  m.add_counter("bounceback_messages_in_total", {{"connector", "websocket"}, {"type", "text"}});
  m.add_counter("bounceback_messages_in_total", {{"connector", "websocket"}, {"type", "text"}}, 2);
  m.add_gauge("bounceback_sessions_connected", {{"connector", "websocket"}}, 1);
  m.observe("bounceback_store_commit_seconds", 0.003);
  m.observe("bounceback_store_commit_seconds", 7);
  std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("# TYPE bounceback_messages_in_total counter\n"));
  CHECK_THAT(text, Catch::Contains("bounceback_messages_in_total{connector=\"websocket\",type=\"text\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("bounceback_sessions_connected{connector=\"websocket\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("bounceback_store_commit_seconds_bucket{le=\"0.0025\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("bounceback_store_commit_seconds_bucket{le=\"0.005\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("bounceback_store_commit_seconds_bucket{le=\"+Inf\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("bounceback_store_commit_seconds_count 2\n"));
  CHECK(m.value("bounceback_messages_in_total", {{"connector", "websocket"}, {"type", "text"}}) == 3);
}

TEST_CASE("label values are escaped", "[metrics]") {
  Metrics m;
  m.add_counter("bounceback_frames_rejected_total", {{"code", "a\"b\\c"}});
  CHECK_THAT(m.render(), Catch::Contains(R"(code="a\"b\\c")"));
}

TEST_CASE("a gauge can be set to a value as well as moved by a difference", "[metrics]") {
  Metrics m;
  m.set_gauge("bounceback_due_items", {}, 7);
  m.set_gauge("bounceback_due_items", {}, 3);
  CHECK(m.value("bounceback_due_items") == 3);
  m.add_gauge("bounceback_due_items", {}, 2);
  CHECK(m.value("bounceback_due_items") == 5);
  CHECK_THAT(m.render(), Catch::Contains("bounceback_due_items 5\n"));
}
