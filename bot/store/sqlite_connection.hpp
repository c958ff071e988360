#pragma once
#include <string>

struct sqlite3;

namespace bounceback::store {

// One open SQLite database handle; closes itself. Errors throw StoreError.
class SqliteConnection {
 public:
  explicit SqliteConnection(const std::string& path, bool read_only = false);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  void exec(const std::string& sql);  // statements without results
  sqlite3* handle() const { return db_; }
  std::string last_error() const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace bounceback::store
