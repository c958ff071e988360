#pragma once
#include <fstream>
#include <sstream>
#include <string>

namespace bounceback::testing {

// The text of a file under tests/fixtures/ (empty when it is missing; the test then fails
// on what it expected to find).
inline std::string fixture_file(const std::string& relative) {
  std::ifstream in(BOUNCEBACK_SOURCE_DIR "/tests/fixtures/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace bounceback::testing
