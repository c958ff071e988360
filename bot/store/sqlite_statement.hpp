#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace bounceback::store {

// A prepared statement: bind by 1-based index, step through rows, reset to reuse.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind_null(int index);
  SqliteStatement& bind_optional(int index, const std::optional<std::string>& value);

  bool step();  // true while a row is available; throws StoreError on failure
  void run();   // step to completion, then reset
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  static void check_bind(int rc, int index);
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace bounceback::store
