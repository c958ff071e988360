#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bounceback::http {

// The reverse proxies whose X-Forwarded-For is believed (http.trusted_proxies): addresses
// or networks ("10.0.0.0/8", "::1"). Behind one, every connection comes from the proxy;
// the per-address limits need the address the proxy saw. From anyone else, the header is
// what the client chose to write, and ignored.
class TrustedProxies {
 public:
  // Adds "IP" or "IP/PREFIX"; returns what is wrong with it instead, if anything.
  std::optional<std::string> add(std::string_view entry);

  bool contains(std::string_view ip) const;
  bool empty() const { return networks_.empty(); }

  // The client's address: `peer` itself, unless `peer` is a trusted proxy; then the last
  // address in `forwarded_for` that is not one (the header's right end is what the
  // nearest proxy saw). A header that cannot be read leaves `peer`.
  std::string client_ip(const std::string& peer, std::string_view forwarded_for) const;

 private:
  struct Network {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 0;
  };
  static std::optional<Network> parse_address(std::string_view ip);
  std::vector<Network> networks_;
};

}  // namespace bounceback::http
