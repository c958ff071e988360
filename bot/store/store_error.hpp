#pragma once
#include <stdexcept>

namespace bounceback::store {

// The database could not be opened, migrated or written; the message says which and why.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bounceback::store
