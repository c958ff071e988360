#pragma once
#include <cstdint>

namespace bounceback::dialog {

// The random generator that picks a text variant: SplitMix64. One is seeded for every
// message (from the person and their turn count, so a transcript can be replayed), and
// seeding it is one word, where std::mt19937 fills and then regenerates 624 words: that
// was 7% of the daemon's time on a busy websocket. Its outputs are well mixed even for
// seeds that differ by one, which consecutive turns do.
class VariantRng {
 public:
  using result_type = std::uint64_t;

  explicit VariantRng(std::uint64_t seed = 0) : state_(seed) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  result_type operator()() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

}  // namespace bounceback::dialog
