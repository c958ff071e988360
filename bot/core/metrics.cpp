#include "bot/core/metrics.hpp"

#include <sstream>
#include <stdexcept>

namespace bounceback::core {

Metrics::Metrics() {
  declare("bounceback_messages_in_total", "counter", "Messages received from people, by connector and type.");
  declare("bounceback_messages_out_total", "counter", "Messages handed to connectors, by connector and kind.");
  declare("bounceback_sessions_connected", "gauge", "Open chat sessions, by connector.");
  declare("bounceback_people_created_total", "counter", "People created, by connector.");
  declare("bounceback_safety_hits_total", "counter", "Messages the safety screen answered, by category (never the words).");
  declare("bounceback_safety_answers_total", "counter", "The safety screen's answers: crisis, ask (asking directly), coping.");
  declare("bounceback_safety_asked_total", "counter", "Answers to asking directly: yes, no, unsure.");
  declare("bounceback_platform_errors_total", "counter", "Failed platform API calls, by connector, method and reason (HTTP status or transport).");
  declare("bounceback_people_cached", "gauge", "People held in the core's cache (the active ones; the rest are in the store).");
  declare("bounceback_due_items", "gauge", "Items in the due-queue (nudge times and reminders, including replaced ones not yet due).");
  declare("bounceback_nudges_total", "counter", "Due nudges handled, by result: sent, held, late, quiet, snoozed, paused, ...");
  declare("bounceback_group_checkins_total", "counter", "Group check-ins due, by result: sent, skipped (late, or the group refuses messages)");
  declare("bounceback_group_safety_replies_total", "counter", "Safety screen hits in group channels (a brief reply there, resources privately)");
  declare("bounceback_handler_errors_total", "counter",
          "Exceptions that escaped an event handler; the daemon logged each and went on, by place.");
  declare("bounceback_frames_rejected_total", "counter", "Frames answered with an error, by connector and code.");
  declare("bounceback_store_wal_pages_total", "counter",
          "Database pages the group commits wrote to SQLite's write-ahead log (4 KiB each by default).");
  declare("bounceback_store_checkpoints_total", "counter",
          "Checkpoints that copied the write-ahead log back into the database, by who ran them: the checkpointer "
          "thread, or the writer when the log had grown to four times the threshold.");
  declare("bounceback_store_commit_seconds", "histogram", "Time one group commit of the store took.",
          {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
  declare("bounceback_store_commit_batch_size", "histogram", "Transactions committed together in one group commit.",
          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
}

void Metrics::declare(std::string name, std::string type, std::string help, std::vector<double> bounds) {
  Family f;
  f.type = std::move(type);
  f.help = std::move(help);
  f.buckets.assign(bounds.size(), 0);
  f.bounds = std::move(bounds);
  families_.emplace(std::move(name), std::move(f));
}

Metrics::Family& Metrics::family(std::string_view name) {
  auto it = families_.find(name);
  if (it == families_.end()) throw std::logic_error("undeclared metric " + std::string(name));
  return it->second;
}

std::string Metrics::render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') { out += "\\n"; continue; }
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

void Metrics::add_counter(std::string_view name, const Labels& labels, double by) {
  std::lock_guard lock(mutex_);
  family(name).series[render_labels(labels)] += by;
}

void Metrics::add_gauge(std::string_view name, const Labels& labels, double delta) {
  std::lock_guard lock(mutex_);
  family(name).series[render_labels(labels)] += delta;
}

void Metrics::set_gauge(std::string_view name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  family(name).series[render_labels(labels)] = value;
}

void Metrics::observe(std::string_view name, double value) {
  std::lock_guard lock(mutex_);
  Family& f = family(name);
  for (std::size_t i = 0; i < f.bounds.size(); ++i)
    if (value <= f.bounds[i]) {
      ++f.buckets[i];
      break;
    }
  f.sum += value;
  ++f.count;
}

double Metrics::value(std::string_view name, const Labels& labels) const {
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(render_labels(labels));
  return s == it->second.series.end() ? 0 : s->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    out << "# HELP " << name << ' ' << f.help << '\n' << "# TYPE " << name << ' ' << f.type << '\n';
    if (f.type == "histogram") {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < f.bounds.size(); ++i) {
        cumulative += f.buckets[i];
        out << name << "_bucket{le=\"" << f.bounds[i] << "\"} " << cumulative << '\n';
      }
      out << name << "_bucket{le=\"+Inf\"} " << f.count << '\n'
          << name << "_sum " << f.sum << '\n'
          << name << "_count " << f.count << '\n';
    } else {
      for (const auto& [labels, v] : f.series) out << name << labels << ' ' << v << '\n';
    }
  }
  return out.str();
}

}  // namespace bounceback::core
