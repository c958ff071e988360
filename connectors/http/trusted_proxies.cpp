#include "connectors/http/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace bounceback::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<TrustedProxies::Network> TrustedProxies::parse_address(std::string_view ip) {
  std::string text(ip);
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  Network n;
  if (inet_pton(AF_INET, text.c_str(), n.bytes.data()) == 1) {
    n.prefix = 32;
    return n;
  }
  if (inet_pton(AF_INET6, text.c_str(), n.bytes.data()) == 1) {
    n.v6 = true;
    n.prefix = 128;
    // An IPv4 address the kernel shows as ::ffff:a.b.c.d is that IPv4 address.
    static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(mapped), std::end(mapped), n.bytes.begin())) {
      std::array<std::uint8_t, 16> v4{};
      std::copy(n.bytes.begin() + 12, n.bytes.end(), v4.begin());
      n.bytes = v4;
      n.v6 = false;
      n.prefix = 32;
    }
    return n;
  }
  return std::nullopt;
}

std::optional<std::string> TrustedProxies::add(std::string_view entry) {
  auto slash = entry.find('/');
  auto address = parse_address(entry.substr(0, slash));
  if (!address) return "\"" + std::string(entry) + "\" is not an IP address or network (such as 10.0.0.0/8 or ::1)";
  if (slash != std::string_view::npos) {
    auto bits = entry.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    int most = address->v6 ? 128 : 32;
    if (ec != std::errc() || end != bits.data() + bits.size() || prefix < 0 || prefix > most)
      return "\"" + std::string(entry) + "\": the prefix after / must be 0 to " + std::to_string(most);
    address->prefix = prefix;
  }
  networks_.push_back(*address);
  return std::nullopt;
}

bool TrustedProxies::contains(std::string_view ip) const {
  auto a = parse_address(ip);
  if (!a) return false;
  for (const auto& n : networks_) {
    if (n.v6 != a->v6) continue;
    int full = n.prefix / 8, rest = n.prefix % 8;
    if (!std::equal(n.bytes.begin(), n.bytes.begin() + full, a->bytes.begin())) continue;
    if (rest && (n.bytes[full] >> (8 - rest)) != (a->bytes[full] >> (8 - rest))) continue;
    return true;
  }
  return false;
}

std::string TrustedProxies::client_ip(const std::string& peer, std::string_view forwarded_for) const {
  if (forwarded_for.empty() || !contains(peer)) return peer;
  std::string client = peer;
  // From the right: each hop a trusted proxy added, until the first one that is not.
  while (true) {
    auto comma = forwarded_for.rfind(',');
    std::string_view hop = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    if (!parse_address(hop)) return client;  // unreadable: the last address we could trust
    client = std::string(hop);
    if (!contains(client) || comma == std::string_view::npos) return client;
    forwarded_for = forwarded_for.substr(0, comma);
  }
}

}  // namespace bounceback::http
