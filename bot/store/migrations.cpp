#include "bot/store/migrations.hpp"

#include <sqlite3.h>

#include <array>
#include <string>

#include "bot/store/sqlite_statement.hpp"
#include "bot/store/store_error.hpp"

namespace bounceback::store {

namespace {

// Times are UTC milliseconds since the epoch.
constexpr std::array<Migration, 13> kMigrations{{
    {1, "people",
     R"sql(
CREATE TABLE people (
  id            INTEGER PRIMARY KEY,
  connector     TEXT NOT NULL,
  platform_user TEXT NOT NULL,
  token_hash    TEXT,
  display_name  TEXT NOT NULL DEFAULT '',
  timezone      TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  UNIQUE (connector, platform_user)
);
CREATE UNIQUE INDEX people_by_token ON people(token_hash) WHERE token_hash IS NOT NULL;
)sql"},
    {2, "outbox",
     R"sql(
CREATE TABLE outbox (
  id           INTEGER PRIMARY KEY,
  person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  text         TEXT NOT NULL,
  choices      TEXT NOT NULL DEFAULT '[]',
  reply_to     TEXT NOT NULL DEFAULT '',
  final        INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_undelivered ON outbox(person_id, id) WHERE delivered_at IS NULL;
)sql"},
    {3, "settings: connector state such as polling offsets",
     R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
    {4, "people: their place in the conversation trees",
     R"sql(
ALTER TABLE people ADD COLUMN dialog_state TEXT NOT NULL DEFAULT '';
)sql"},
    {5, "people: the pause after a crisis message",
     R"sql(
ALTER TABLE people ADD COLUMN safety_pause_until INTEGER NOT NULL DEFAULT 0;
)sql"},
    {6, "people: goals, steps and wins",
     R"sql(
ALTER TABLE people ADD COLUMN goals TEXT NOT NULL DEFAULT '';
)sql"},
    {7, "people: nudge times, quiet hours, snooze, pause; the due table",
     R"sql(
ALTER TABLE people ADD COLUMN nudge_times TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN quiet_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN snoozed_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN remind_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN nudges_paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN unreachable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN unanswered_nudges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN skipped_last_nudge INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN last_nudged_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN schedule_epoch INTEGER NOT NULL DEFAULT 0;
CREATE TABLE due (
  person_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  PRIMARY KEY (person_id, kind, slot)
) WITHOUT ROWID;
)sql"},
    {8, "groups: support channels are rows of people; who is in which group",
     R"sql(
ALTER TABLE people ADD COLUMN group_state TEXT NOT NULL DEFAULT '';
CREATE TABLE group_members (
  group_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, person_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_person ON group_members(person_id);
)sql"},
    {9, "goal books: a snapshot and a journal of changes, out of the people row",
     R"sql(
CREATE TABLE goal_books (
  person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  book      TEXT NOT NULL
);
CREATE TABLE goal_journal (
  id        INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  entry     TEXT NOT NULL
);
CREATE INDEX goal_journal_by_person ON goal_journal(person_id, id);
INSERT INTO goal_books (person_id, book) SELECT id, goals FROM people WHERE goals <> '';
UPDATE people SET goals = '' WHERE goals <> '';
)sql"},
    {10, "the goal journal back in the people row, as lines",
     // A journal row of its own cost a page of the write-ahead log per message (its index,
     // ordered by person, is touched at a random place each time), on top of the people
     // row's page that every message writes anyway. The entries since the last snapshot
     // (a few kilobytes at most) now go in that row: one line each, in order.
     R"sql(
ALTER TABLE people ADD COLUMN goal_journal TEXT NOT NULL DEFAULT '';
UPDATE people SET goal_journal = COALESCE((SELECT group_concat(line, '') FROM
  (SELECT entry || char(10) AS line FROM goal_journal j WHERE j.person_id = people.id ORDER BY j.id)), '');
DROP TABLE goal_journal;
)sql"},
    {11, "finished goals archived in parts written once, out of the goal book snapshot",
     // The snapshot held a person's whole history and was rewritten every 64 changes: its
     // size, and the cost of each rewrite, grew with every goal ever finished.
     R"sql(
CREATE TABLE goal_archive (
  id        INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  part      TEXT NOT NULL
);
CREATE INDEX goal_archive_by_person ON goal_archive(person_id, id);
)sql"},
    {12, "whose words an outbox message carries besides its addressee's, so forgetting them reaches it",
     // A win shared in a group is a row of the group's outbox with the person's name and
     // step in it; /forget deleted the person's own rows only.
     R"sql(
CREATE TABLE outbox_about (
  outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL,
  PRIMARY KEY (outbox_id, person_id)
) WITHOUT ROWID;
CREATE INDEX outbox_about_by_person ON outbox_about(person_id);
)sql"},
    {13, "people: the weekly reflection (/weekly on)",
     R"sql(
ALTER TABLE people ADD COLUMN weekly_reflection INTEGER NOT NULL DEFAULT 0;
)sql"},
}};

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    throw StoreError(why);
  }
}

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

int schema_version(sqlite3* db) {
  exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)");
  SqliteStatement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  query.step();
  return static_cast<int>(query.column_int(0));
}

void migrate(sqlite3* db, int upto) {
  if (upto <= 0) upto = latest_schema_version();
  int current = schema_version(db);
  if (current > latest_schema_version())
    throw StoreError("the database has schema version " + std::to_string(current) +
                     " but this bounceback knows only up to " + std::to_string(latest_schema_version()) +
                     ": it was written by a newer bounceback; run that version or restore a backup");
  for (const Migration& m : kMigrations) {
    if (m.version <= current || m.version > upto) continue;
    exec(db, "BEGIN IMMEDIATE");
    try {
      exec(db, m.sql);
      exec(db, "INSERT INTO schema_version (version, applied_at) VALUES (" + std::to_string(m.version) +
                   ", CAST(strftime('%s','now') AS INTEGER) * 1000)");
      exec(db, "COMMIT");
    } catch (const StoreError& e) {
      exec(db, "ROLLBACK");
      throw StoreError("migration " + std::to_string(m.version) + " (" + m.description + ") failed: " + e.what());
    }
  }
}

}  // namespace bounceback::store
