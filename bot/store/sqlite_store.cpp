#include "bot/store/sqlite_store.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "bot/core/json_text.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/minute_of_day.hpp"
#include "bot/store/migrations.hpp"
#include "bot/store/sqlite_connection.hpp"
#include "bot/store/sqlite_statement.hpp"
#include "bot/store/wal_checkpointer.hpp"
#include "bot/store/store_error.hpp"

namespace bounceback::store {

namespace {

using core::TimePoint;

std::int64_t to_ms(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_ms(std::int64_t ms) { return TimePoint{std::chrono::milliseconds{ms}}; }

constexpr const char* kPersonColumns =
    "SELECT id, connector, platform_user, COALESCE(token_hash, ''), display_name, timezone, created_at, "
    "last_seen_at, dialog_state, safety_pause_until, "
    "COALESCE((SELECT book FROM goal_books WHERE goal_books.person_id = people.id), ''), nudge_times, quiet_hours, snoozed_until, remind_at, "
    "nudges_paused, unanswered_nudges, skipped_last_nudge, last_nudged_at, schedule_epoch, unreachable, group_state, "
    "goal_journal, "
    "COALESCE((SELECT group_concat(part, char(10)) FROM (SELECT part FROM goal_archive a "
    "WHERE a.person_id = people.id ORDER BY a.id)), ''), weekly_reflection FROM people ";

// Nudge times are kept as "09:00,18:30" and quiet hours as "22:00-07:00" (readable in the database).
std::vector<std::uint16_t> decode_times(const std::string& text) {
  std::vector<std::uint16_t> out;
  for (std::size_t at = 0; at < text.size();) {
    auto comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    if (auto m = core::parse_minute(text.substr(at, comma - at))) out.push_back(static_cast<std::uint16_t>(*m));
    at = comma + 1;
  }
  return out;
}

core::Person read_person(const SqliteStatement& row) {
  core::Person p;
  p.id = row.column_int(0);
  p.address = {row.column_text(1), row.column_text(2)};
  p.token_hash = row.column_text(3);
  p.display_name = row.column_text(4);
  p.timezone = row.column_text(5);
  p.created = from_ms(row.column_int(6));
  p.last_seen = from_ms(row.column_int(7));
  p.dialog_state = row.column_text(8);
  p.safety_pause_until = from_ms(row.column_int(9));
  p.goals = row.column_text(10);
  p.nudges.times = decode_times(row.column_text(11));
  std::string quiet = row.column_text(12);
  if (auto dash = quiet.find('-'); dash != std::string::npos) {
    p.nudges.quiet_from = core::parse_minute(quiet.substr(0, dash)).value_or(-1);
    p.nudges.quiet_to = core::parse_minute(quiet.substr(dash + 1)).value_or(-1);
  }
  p.nudges.snoozed_until = from_ms(row.column_int(13));
  p.nudges.remind_at = from_ms(row.column_int(14));
  p.nudges.paused = row.column_int(15) != 0;
  p.nudges.unanswered = static_cast<int>(row.column_int(16));
  p.nudges.skipped_last = row.column_int(17) != 0;
  p.nudges.last_nudged = from_ms(row.column_int(18));
  p.nudges.epoch = static_cast<std::uint32_t>(row.column_int(19));
  p.nudges.unreachable = row.column_int(20) != 0;
  p.group = core::GroupInfo::from_json(row.column_text(21));
  // The goal journal: one entry per line (entries are JSON, so a line break is never in one).
  // The same for the archive's parts, one per line in their order.
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < text.size();) {
      auto end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      if (end > at) out.push_back(text.substr(at, end - at));
      at = end + 1;
    }
    return out;
  };
  p.goal_journal = lines(row.column_text(22));
  p.goal_archive = lines(row.column_text(23));
  p.nudges.weekly = row.column_int(24) != 0;
  return p;
}

constexpr const char* kOutboxColumns =
    "SELECT o.id, o.person_id, p.connector, p.platform_user, o.kind, o.text, o.choices, o.reply_to, "
    "o.final, o.created_at FROM outbox o JOIN people p ON p.id = o.person_id ";

std::vector<core::Choice> decode_choices(const std::string& text);

core::Outgoing read_outgoing(const SqliteStatement& q) {
  core::Outgoing m;
  m.id = q.column_int(0);
  m.person = q.column_int(1);
  m.to = {q.column_text(2), q.column_text(3)};
  m.kind = core::parse_message_kind(q.column_text(4)).value_or(core::MessageKind::reply);
  m.text = q.column_text(5);
  m.choices = decode_choices(q.column_text(6));
  m.reply_to = q.column_text(7);
  m.final = q.column_int(8) != 0;
  m.created = from_ms(q.column_int(9));
  return m;
}

// Written by hand: it runs for every message committed (see core/json_text).
std::string encode_choices(const std::vector<core::Choice>& choices) {
  std::string out = "[";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i) out += ',';
    out += "{\"id\":";
    core::append_json_string(out, choices[i].id);
    out += ",\"label\":";
    core::append_json_string(out, choices[i].label);
    out += '}';
  }
  out += ']';
  return out;
}

std::vector<core::Choice> decode_choices(const std::string& text) {
  std::vector<core::Choice> out;
  auto list = nlohmann::json::parse(text, nullptr, false);
  if (!list.is_array()) return out;
  for (const auto& c : list) out.push_back({c.value("id", ""), c.value("label", "")});
  return out;
}

}  // namespace

// The writer's statements, prepared once (they run in every group commit).
struct SqliteStore::WriterStatements {
  explicit WriterStatements(sqlite3* db)
      : upsert_person(db,
        "INSERT INTO people (id, connector, platform_user, token_hash, display_name, timezone, created_at, "
        "last_seen_at, dialog_state, safety_pause_until, goals, nudge_times, quiet_hours, snoozed_until, remind_at, "
        "nudges_paused, unanswered_nudges, skipped_last_nudge, last_nudged_at, schedule_epoch, unreachable, group_state, "
        "weekly_reflection) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        // Not the token hash (set once, when the person is created) nor the address: a
        // column in the SET rewrites its index entry, a page of the log on every turn.
        "ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, "
        "timezone = excluded.timezone, last_seen_at = excluded.last_seen_at, dialog_state = excluded.dialog_state, "
        "safety_pause_until = excluded.safety_pause_until, nudge_times = excluded.nudge_times, "
        "quiet_hours = excluded.quiet_hours, snoozed_until = excluded.snoozed_until, remind_at = excluded.remind_at, "
        "nudges_paused = excluded.nudges_paused, unanswered_nudges = excluded.unanswered_nudges, "
        "skipped_last_nudge = excluded.skipped_last_nudge, last_nudged_at = excluded.last_nudged_at, "
        "schedule_epoch = excluded.schedule_epoch, unreachable = excluded.unreachable, group_state = excluded.group_state, "
        "weekly_reflection = excluded.weekly_reflection"),
        insert_outbox(db,
        "INSERT INTO outbox (id, person_id, kind, text, choices, reply_to, final, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        mark_delivered(db, "UPDATE outbox SET delivered_at = ? WHERE id = ? AND person_id = ? AND delivered_at IS NULL"),
        forget_outbox(db, "DELETE FROM outbox WHERE person_id = ?"),
        insert_about(db, "INSERT OR IGNORE INTO outbox_about (outbox_id, person_id) VALUES (?, ?)"),
        // Others' rows that carry the person's words (a win shared in a group), then the marks.
        forget_mentions(db, "DELETE FROM outbox WHERE id IN (SELECT outbox_id FROM outbox_about WHERE person_id = ?)"),
        forget_about(db, "DELETE FROM outbox_about WHERE person_id = ?"),
        forget_person(db, "DELETE FROM people WHERE id = ?"),
        clear_due(db, "DELETE FROM due WHERE person_id = ?"),
        save_due(db,
        "INSERT INTO due (person_id, kind, slot, due_at, epoch) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(person_id, kind, slot) DO UPDATE SET due_at = excluded.due_at, epoch = excluded.epoch"),
        remove_due(db, "DELETE FROM due WHERE person_id = ? AND kind = ? AND slot = ? AND epoch = ?"),
        inactive(db,
        "SELECT id, connector, platform_user FROM people WHERE last_seen_at < ? OR "
        "(group_state = '' AND last_seen_at < ? AND "
        // People seen only in a group never talked privately: their dialog state is empty.
        "COALESCE(CASE WHEN json_valid(dialog_state) THEN json_extract(dialog_state, '$.onboarded') END, 0) = 0)"),
        join_group(db, "INSERT OR IGNORE INTO group_members (group_id, person_id, joined_at) VALUES (?, ?, ?)"),
        append_goal_entry(db, "UPDATE people SET goal_journal = goal_journal || ? WHERE id = ?"),
        save_goal_book(db, "INSERT INTO goal_books (person_id, book) VALUES (?, ?) "
                           "ON CONFLICT(person_id) DO UPDATE SET book = excluded.book"),
        clear_goal_journal(db, "UPDATE people SET goal_journal = '' WHERE id = ?"),
        archive_goals(db, "INSERT INTO goal_archive (person_id, part) VALUES (?, ?)"),
        savepoint(db, "SAVEPOINT tx"),
        release(db, "RELEASE tx"),
        put_setting(db,
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value") {}

  SqliteStatement upsert_person, insert_outbox, mark_delivered, forget_outbox, insert_about, forget_mentions,
      forget_about, forget_person, clear_due, save_due, remove_due, inactive, join_group, append_goal_entry,
      save_goal_book, clear_goal_journal, archive_goals, savepoint, release, put_setting;
};

SqliteStore::SqliteStore(const std::string& path, core::Metrics* metrics, bool power_loss_safe, int checkpoint_pages)
    : path_(path), metrics_(metrics) {
  writer_ = std::make_unique<SqliteConnection>(path);
  writer_->exec("PRAGMA journal_mode=WAL");
  // NORMAL: a commit is in the WAL (the operating system has it) before its messages leave,
  // so it survives the daemon being killed; FULL also fsyncs it, surviving a power loss.
  writer_->exec(power_loss_safe ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  writer_->exec("PRAGMA foreign_keys=ON");
  // What a person deletes is overwritten, not just unlinked (forget, retention).
  writer_->exec("PRAGMA secure_delete=ON");
  migrate(writer_->handle());
  statements_ = std::make_unique<WriterStatements>(writer_->handle());
  checkpointer_ = std::make_unique<WalCheckpointer>(path, power_loss_safe, checkpoint_pages);
  checkpointer_->attach(writer_->handle());
  reader_ = std::make_unique<SqliteConnection>(path);
  reader_->exec("PRAGMA query_only=ON");
  writer_thread_ = std::thread([this] { writer_loop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);  // the checkpointer goes first
}

std::uint64_t SqliteStore::background_checkpoints() const { return checkpointer_->background_checkpoints(); }
std::uint64_t SqliteStore::writer_checkpoints() const { return checkpointer_->writer_checkpoints(); }

// A person row, with its goal book snapshot and the journal entries written after it.
std::optional<core::Person> SqliteStore::read_person_where(const std::string& where,
                                                          const std::function<void(SqliteStatement&)>& bind) {
  std::lock_guard lock(reader_mutex_);
  SqliteStatement q(reader_->handle(), std::string(kPersonColumns) + where);
  bind(q);
  if (!q.step()) return std::nullopt;
  return read_person(q);
}

std::optional<core::Person> SqliteStore::find_person(const core::Address& address) {
  return read_person_where("WHERE connector = ? AND platform_user = ?",
                           [&](SqliteStatement& q) { q.bind(1, address.connector).bind(2, address.user); });
}

std::optional<core::Person> SqliteStore::find_person_by_token_hash(const std::string& token_hash) {
  return read_person_where("WHERE token_hash = ?", [&](SqliteStatement& q) { q.bind(1, token_hash); });
}

std::optional<core::Person> SqliteStore::find_person_by_id(core::PersonId id) {
  return read_person_where("WHERE id = ?", [&](SqliteStatement& q) { q.bind(1, id); });
}

std::vector<core::Outgoing> SqliteStore::undelivered_for_connector(const std::string& connector) {
  std::lock_guard lock(reader_mutex_);
  std::vector<core::Outgoing> out;
  SqliteStatement q(reader_->handle(), std::string(kOutboxColumns) + "WHERE p.connector = ? AND o.delivered_at IS NULL ORDER BY o.id");
  q.bind(1, connector);
  while (q.step()) out.push_back(read_outgoing(q));
  return out;
}

std::vector<core::DueItem> SqliteStore::load_due() {
  std::lock_guard lock(reader_mutex_);
  std::vector<core::DueItem> out;
  SqliteStatement count(reader_->handle(), "SELECT COUNT(*) FROM due");
  count.step();
  out.reserve(static_cast<std::size_t>(count.column_int(0)));
  SqliteStatement q(reader_->handle(), "SELECT person_id, kind, slot, due_at, epoch FROM due");
  while (q.step()) {
    core::DueItem d;
    d.person = q.column_int(0);
    d.kind = static_cast<core::DueKind>(q.column_int(1));
    d.slot = static_cast<std::uint16_t>(q.column_int(2));
    d.due = from_ms(q.column_int(3));
    d.epoch = static_cast<std::uint32_t>(q.column_int(4));
    out.push_back(d);
  }
  return out;
}

std::vector<std::pair<core::PersonId, core::PersonId>> SqliteStore::load_memberships() {
  std::lock_guard lock(reader_mutex_);
  std::vector<std::pair<core::PersonId, core::PersonId>> out;
  SqliteStatement q(reader_->handle(), "SELECT group_id, person_id FROM group_members");
  while (q.step()) out.emplace_back(q.column_int(0), q.column_int(1));
  return out;
}

std::int64_t SqliteStore::max_person_id() {
  std::lock_guard lock(reader_mutex_);
  SqliteStatement q(reader_->handle(), "SELECT COALESCE(MAX(id), 0) FROM people");
  q.step();
  return q.column_int(0);
}

std::int64_t SqliteStore::max_outbox_id() {
  std::lock_guard lock(reader_mutex_);
  SqliteStatement q(reader_->handle(), "SELECT COALESCE(MAX(id), 0) FROM outbox");
  q.step();
  return q.column_int(0);
}

std::optional<std::string> SqliteStore::setting(const std::string& key) {
  std::lock_guard lock(reader_mutex_);
  SqliteStatement q(reader_->handle(), "SELECT value FROM settings WHERE key = ?");
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return q.column_text(0);
}

void SqliteStore::submit(Transaction tx, std::function<void(CommitResult)> done) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back({std::move(tx), std::move(done)});
  }
  queue_cv_.notify_one();
}

void SqliteStore::flush() {
  std::promise<void> committed;
  auto future = committed.get_future();
  submit({}, [&committed](const CommitResult&) { committed.set_value(); });
  future.wait();
}

std::string SqliteStore::export_person(core::PersonId id) {
  sqlite3* db = writer_->handle();
  nlohmann::json out;
  SqliteStatement person(db, std::string(kPersonColumns) + "WHERE id = ?");
  person.bind(1, id);
  if (!person.step()) return "{}";
  core::Person p = read_person(person);
  auto state = nlohmann::json::parse(p.dialog_state.empty() ? "{}" : p.dialog_state, nullptr, false);
  out["person"] = {{"id", std::to_string(p.id)},        {"connector", p.address.connector},
                   {"user", p.address.user},            {"name", p.display_name},
                   {"timezone", p.timezone},            {"created_ms", to_ms(p.created)},
                   {"last_seen_ms", to_ms(p.last_seen)}, {"safety_pause_until_ms", to_ms(p.safety_pause_until)}};
  out["conversation"] = state.is_discarded() ? nlohmann::json::object() : state;
  // The book as one: the archived parts' goals and wins first, then the live snapshot's.
  auto goals = nlohmann::json::parse(p.goals.empty() ? "{}" : p.goals, nullptr, false);
  if (goals.is_discarded() || !goals.is_object()) goals = nlohmann::json::object();
  for (const char* key : {"goals", "wins"}) {
    auto all = nlohmann::json::array();
    for (const auto& text : p.goal_archive) {
      auto part = nlohmann::json::parse(text, nullptr, false);
      if (part.is_object() && part.contains(key) && part[key].is_array())
        for (auto& item : part[key]) all.push_back(std::move(item));
    }
    if (goals.contains(key) && goals[key].is_array())
      for (auto& item : goals[key]) all.push_back(std::move(item));
    if (!all.empty() || goals.contains(key)) goals[key] = std::move(all);
  }
  out["goals"] = goals;
  out["nudges"] = {{"times", p.nudges.times_text()},
                   {"quiet_hours", p.nudges.quiet_hours_text()},
                   {"paused", p.nudges.paused},
                   {"weekly_reflection", p.nudges.weekly},
                   {"snoozed_until_ms", to_ms(p.nudges.snoozed_until)}};
  // Earlier exports are counted, never copied: each would hold the one before it.
  auto messages = nlohmann::json::array();
  SqliteStatement q(db, "SELECT id, kind, text, choices, created_at, delivered_at FROM outbox "
                        "WHERE person_id = ? AND kind <> 'export' ORDER BY id");
  q.bind(1, id);
  while (q.step())
    messages.push_back({{"id", std::to_string(q.column_int(0))}, {"kind", q.column_text(1)}, {"text", q.column_text(2)},
                        {"choices", nlohmann::json::parse(q.column_text(3), nullptr, false)},
                        {"created_ms", q.column_int(4)}, {"delivered", !q.column_is_null(5)}});
  out["messages_from_bounceback"] = std::move(messages);
  SqliteStatement exports(db, "SELECT count(*) FROM outbox WHERE person_id = ? AND kind = 'export'");
  exports.bind(1, id);
  out["earlier_exports"] = exports.step() ? exports.column_int(0) : 0;
  // The groups the person is in, and what they shared there (nothing else of a group is theirs).
  auto groups = nlohmann::json::array();
  SqliteStatement g(db, "SELECT p.display_name, p.group_state FROM group_members m JOIN people p ON p.id = m.group_id "
                        "WHERE m.person_id = ? ORDER BY m.joined_at");
  g.bind(1, id);
  while (g.step()) {
    auto shared = nlohmann::json::array();
    for (const auto& w : core::GroupInfo::from_json(g.column_text(1)).wins)
      if (w.person == id) shared.push_back({{"step", w.step}, {"at_ms", to_ms(w.at)}});
    groups.push_back({{"name", g.column_text(0)}, {"shared_wins", std::move(shared)}});
  }
  out["groups"] = std::move(groups);
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SqliteStore::writer_loop() {
  for (;;) {
    std::deque<Pending> batch;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      batch.swap(queue_);
    }
    commit_batch(batch);
  }
}

void SqliteStore::commit_batch(std::deque<Pending>& batch) {
  auto started = std::chrono::steady_clock::now();
  sqlite3* db = writer_->handle();
  std::vector<CommitResult> results(batch.size());
  bool committed = false;
  bool forgot_someone = false;
  std::string batch_error;
  if (int delay = injected_delay_ms_.load(); delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  try {
    writer_->exec("BEGIN IMMEDIATE");
    if (injected_failures_.load() > 0) {
      injected_failures_.fetch_sub(1);
      throw StoreError("database or disk is full (a failure injected for a test)");
    }
    // Prepared once for the writer's lifetime, not per batch.
    auto& [upsert_person, insert_outbox, mark_delivered, forget_outbox, insert_about, forget_mentions, forget_about,
           forget_person, clear_due, save_due, remove_due, inactive, join_group, append_goal_entry, save_goal_book,
           clear_goal_journal, archive_goals, savepoint, release, put_setting] = *statements_;

    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Transaction& tx = batch[i].tx;
      if (tx.writes_nothing()) {
        results[i].ok = true;
        continue;
      }
      // Each transaction in its own savepoint: one bad transaction does not sink the batch.
      savepoint.run();  // prepared once: parsing it for every transaction showed in bench_load
      try {
        for (const auto& p : tx.people) {
          upsert_person.bind(1, p.id).bind(2, p.address.connector).bind(3, p.address.user);
          if (p.token_hash.empty()) upsert_person.bind_null(4); else upsert_person.bind(4, p.token_hash);
          upsert_person.bind(5, p.display_name).bind(6, p.timezone).bind(7, to_ms(p.created)).bind(8, to_ms(p.last_seen));
          upsert_person.bind(9, p.dialog_state).bind(10, to_ms(p.safety_pause_until)).bind(11, "");  // goals: goal_books
          const core::NudgeSettings& n = p.nudges;
          upsert_person.bind(12, n.times_text())
              .bind(13, n.quiet_hours_text())
              .bind(14, to_ms(n.snoozed_until)).bind(15, to_ms(n.remind_at)).bind(16, n.paused ? 1 : 0)
              .bind(17, n.unanswered).bind(18, n.skipped_last ? 1 : 0).bind(19, to_ms(n.last_nudged))
              .bind(20, static_cast<std::int64_t>(n.epoch)).bind(21, n.unreachable ? 1 : 0);
          upsert_person.bind(22, p.group.to_json()).bind(23, n.weekly ? 1 : 0);
          upsert_person.run();
        }
        for (const auto& w : tx.goal_writes) {
          // Journal entries and archive parts are read back one per line (JSON escapes its
          // line breaks, so none is in them): one with a line break would come back as two.
          if (!w.snapshot && w.text.find('\n') != std::string::npos)
            throw StoreError(w.archive ? "a goal archive part holds a line break" : "a goal journal entry holds a line break");
          if (w.archive) {
            archive_goals.bind(1, w.person).bind(2, w.text);
            archive_goals.run();
          } else if (w.snapshot) {
            save_goal_book.bind(1, w.person).bind(2, w.text);
            save_goal_book.run();
            clear_goal_journal.bind(1, w.person);
            clear_goal_journal.run();
          } else {
            append_goal_entry.bind(1, w.text + "\n").bind(2, w.person);
            append_goal_entry.run();
          }
        }
        for (auto [group, person] : tx.joined) {
          join_group.bind(1, group).bind(2, person).bind(3, to_ms(tx.at));
          join_group.run();
        }
        for (const auto& m : tx.outbox) {
          insert_outbox.bind(1, m.id).bind(2, m.person).bind(3, core::to_string(m.kind)).bind(4, m.text)
              .bind(5, encode_choices(m.choices)).bind(6, m.reply_to).bind(7, m.final ? 1 : 0)
              .bind(8, to_ms(m.created));
          insert_outbox.run();
          for (auto about : m.about) {
            insert_about.bind(1, m.id).bind(2, about);
            insert_about.run();
          }
        }
        for (auto [id, person] : tx.delivered) {
          mark_delivered.bind(1, to_ms(tx.at)).bind(2, id).bind(3, person);
          mark_delivered.run();
        }
        for (auto id : tx.due_cleared) {
          clear_due.bind(1, id);
          clear_due.run();
        }
        for (const auto& d : tx.due) {
          save_due.bind(1, d.person).bind(2, static_cast<std::int64_t>(d.kind)).bind(3, d.slot).bind(4, to_ms(d.due))
              .bind(5, static_cast<std::int64_t>(d.epoch));
          save_due.run();
        }
        for (const auto& d : tx.due_done) {
          remove_due.bind(1, d.person).bind(2, static_cast<std::int64_t>(d.kind)).bind(3, d.slot)
              .bind(4, static_cast<std::int64_t>(d.epoch));
          remove_due.run();
        }
        for (const auto& [key, value] : tx.settings) {
          put_setting.bind(1, key).bind(2, value);
          put_setting.run();
        }
        std::vector<core::PersonId> to_forget;
        if (tx.forget_person) to_forget.push_back(*tx.forget_person);
        if (tx.forget_inactive) {
          inactive.bind(1, to_ms(tx.forget_inactive->first)).bind(2, to_ms(tx.forget_inactive->second));
          while (inactive.step()) {
            to_forget.push_back(inactive.column_int(0));
            results[i].forgotten.push_back({inactive.column_text(1), inactive.column_text(2)});
            results[i].forgotten_ids.push_back(inactive.column_int(0));
          }
          inactive.reset();
        }
        for (auto id : to_forget) {
          forget_mentions.bind(1, id);
          forget_mentions.run();
          forget_about.bind(1, id);
          forget_about.run();
          forget_outbox.bind(1, id);
          forget_outbox.run();
          clear_due.bind(1, id);
          clear_due.run();
          forget_person.bind(1, id);
          forget_person.run();
          forgot_someone = true;
        }
        release.run();
        results[i].ok = true;
      } catch (const StoreError& e) {
        writer_->exec("ROLLBACK TO tx");
        writer_->exec("RELEASE tx");
        results[i].error = e.what();
        spdlog::error("store: a transaction was rolled back: {}", e.what());
      }
    }
    writer_->exec("COMMIT");
    committed = true;
  } catch (const StoreError& e) {
    batch_error = e.what();
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  healthy_.store(committed);
  if (committed && forgot_someone) {
    // Old versions of the deleted pages still sit in the WAL: copy back and truncate it.
    // The checkpointer may be copying at this moment (SQLITE_BUSY, without waiting): then
    // again shortly, for up to a few seconds.
    int rc = SQLITE_BUSY;
    for (int attempt = 0; attempt < 300 && rc == SQLITE_BUSY; ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    }
    if (rc != SQLITE_OK)
      spdlog::warn("store: the write-ahead log could not be truncated after deleting a person: {}", sqlite3_errmsg(db));
  }
  if (!committed) {
    spdlog::error("store: commit failed: {}", batch_error);
    for (auto& r : results) {
      r.ok = false;
      r.error = batch_error;
    }
  }

  if (metrics_) {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    metrics_->observe("bounceback_store_commit_seconds", took.count());
    metrics_->observe("bounceback_store_commit_batch_size", static_cast<double>(batch.size()));
    auto report = [this](std::uint64_t now, std::uint64_t& reported, const char* name, const core::Metrics::Labels& labels) {
      if (now > reported) metrics_->add_counter(name, labels, static_cast<double>(now - reported));
      reported = now;
    };
    report(checkpointer_->pages_written(), reported_wal_pages_, "bounceback_store_wal_pages_total", {});
    report(checkpointer_->background_checkpoints(), reported_background_, "bounceback_store_checkpoints_total",
           {{"by", "checkpointer"}});
    report(checkpointer_->writer_checkpoints(), reported_writer_, "bounceback_store_checkpoints_total", {{"by", "writer"}});
  }

  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i].ok && batch[i].tx.read_undelivered_for) {
      try {
        SqliteStatement q(db, std::string(kOutboxColumns) + "WHERE o.person_id = ? AND o.delivered_at IS NULL ORDER BY o.id");
        q.bind(1, *batch[i].tx.read_undelivered_for);
        while (q.step()) results[i].undelivered.push_back(read_outgoing(q));
      } catch (const StoreError& e) {
        results[i].ok = false;
        results[i].error = e.what();
      }
    }
    if (results[i].ok && batch[i].tx.read_export_for) {
      try {
        results[i].export_json = export_person(*batch[i].tx.read_export_for);
      } catch (const StoreError& e) {
        results[i].ok = false;
        results[i].error = e.what();
      }
    }
    if (batch[i].done) batch[i].done(std::move(results[i]));
  }
}

}  // namespace bounceback::store
