#pragma once
#include <span>

struct sqlite3;

namespace bounceback::store {

// One numbered step of the schema. Steps are only ever appended, never edited:
// a database records the last step applied in schema_version.
struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> migrations();
int latest_schema_version();

// The version recorded in the database (0 for a new one).
int schema_version(sqlite3* db);

// Applies every step after the database's version up to `upto` (default: all), each in
// its own transaction. A database newer than this binary is a StoreError, untouched.
void migrate(sqlite3* db, int upto = 0);

}  // namespace bounceback::store
