#pragma once
#include <algorithm>
#include <chrono>
#include <random>

namespace bounceback::http {

// How long to wait before trying a platform again after `failures` failures in a row:
// 1 s, 2 s, 4 s ... up to 60 s, plus up to a quarter more at random, so many clients
// that failed together do not come back together.
inline std::chrono::milliseconds backoff_delay(int failures, std::mt19937& rng) {
  using std::chrono::milliseconds;
  auto base = milliseconds(1000) * (1 << std::clamp(failures, 0, 6));
  auto capped = std::min<milliseconds>(base, std::chrono::seconds(60));
  std::uniform_int_distribution<int> spread(0, static_cast<int>(capped.count() / 4));
  return capped + milliseconds(spread(rng));
}

}  // namespace bounceback::http
