#pragma once
#include <string>

namespace bounceback::store {

// A consistent copy of the database at `source` written to `destination` with SQLite's
// online backup API, while the daemon keeps running. Throws StoreError.
void backup_database(const std::string& source, const std::string& destination);

}  // namespace bounceback::store
