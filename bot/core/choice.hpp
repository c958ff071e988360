#pragma once
#include <string>

namespace bounceback::core {

// A quick reply offered with a message; the person answers with its id.
struct Choice {
  std::string id;
  std::string label;
  bool operator==(const Choice&) const = default;
};

}  // namespace bounceback::core
