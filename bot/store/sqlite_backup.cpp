#include "bot/store/sqlite_backup.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "bot/store/sqlite_connection.hpp"
#include "bot/store/store_error.hpp"

namespace bounceback::store {

void backup_database(const std::string& source, const std::string& destination) {
  if (!std::filesystem::exists(source)) throw StoreError("no database at " + source);
  SqliteConnection from(source, /*read_only=*/true);
  SqliteConnection to(destination);
  sqlite3_backup* backup = sqlite3_backup_init(to.handle(), "main", from.handle(), "main");
  if (!backup) throw StoreError("cannot back up to " + destination + ": " + to.last_error());
  int rc;
  // Copy in steps so a busy daemon is locked out only briefly; retry while it writes.
  do {
    rc = sqlite3_backup_step(backup, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(25);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw StoreError("backup to " + destination + " failed: " + to.last_error());
}

}  // namespace bounceback::store
