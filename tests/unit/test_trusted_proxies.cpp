// Which address a request comes from behind a reverse proxy (http.trusted_proxies).
#include <catch2/catch.hpp>

#include "connectors/http/trusted_proxies.hpp"

using bounceback::http::TrustedProxies;

TEST_CASE("trusted proxies: addresses and networks, IPv4 and IPv6, and mistakes named", "[http][proxies]") {
  TrustedProxies p;
  CHECK_FALSE(p.add("10.0.0.0/8"));
  CHECK_FALSE(p.add("::1"));
  CHECK_FALSE(p.add("2001:db8::/32"));
  CHECK(p.contains("10.200.3.4"));
  CHECK(p.contains("::ffff:10.1.2.3"));  // IPv4 as the kernel may show it on a dual-stack socket
  CHECK(p.contains("::1"));
  CHECK(p.contains("2001:db8:ffff::1"));
  CHECK_FALSE(p.contains("11.0.0.1"));
  CHECK_FALSE(p.contains("2001:db9::1"));
  CHECK_FALSE(p.contains("not an address"));
  CHECK(p.add("10.0.0.0/33").value_or("") == "\"10.0.0.0/33\": the prefix after / must be 0 to 32");
  CHECK(p.add("proxy.local").has_value());
  CHECK(p.add("10.0.0.1/").has_value());
}

TEST_CASE("the client's address: the peer's unless it is a trusted proxy, then the header's last untrusted hop", "[http][proxies]") {
  TrustedProxies p;
  REQUIRE_FALSE(p.add("127.0.0.1"));
  REQUIRE_FALSE(p.add("10.0.0.0/8"));
  CHECK(p.client_ip("203.0.113.5", "1.2.3.4") == "203.0.113.5");  // not from a proxy: the header is ignored
  CHECK(p.client_ip("127.0.0.1", "") == "127.0.0.1");
  CHECK(p.client_ip("127.0.0.1", "203.0.113.7") == "203.0.113.7");
  // A client may write its own header; the proxy appends what it saw: the right end counts.
  CHECK(p.client_ip("127.0.0.1", "6.6.6.6, 203.0.113.7") == "203.0.113.7");
  // Two proxies in a row.
  CHECK(p.client_ip("127.0.0.1", "203.0.113.7, 10.1.1.1") == "203.0.113.7");
  CHECK(p.client_ip("127.0.0.1", " 2001:db8::7 ") == "2001:db8::7");
  // An unreadable hop: the last address that could be trusted.
  CHECK(p.client_ip("127.0.0.1", "203.0.113.7, garbage") == "127.0.0.1");
  CHECK(p.client_ip("127.0.0.1", "garbage, 10.1.1.1") == "10.1.1.1");
  TrustedProxies none;
  CHECK(none.client_ip("127.0.0.1", "203.0.113.7") == "127.0.0.1");
}
