#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace bounceback::core {

// `bytes` random bytes from the operating system's CSPRNG, URL-safe base64 without padding.
std::string random_token(std::size_t bytes);

// Lower-case hex SHA-256: resume tokens are stored only as this.
std::string sha256_hex(std::string_view data);

}  // namespace bounceback::core
