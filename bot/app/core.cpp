#include "bot/app/core.hpp"

#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include <map>

#include "bot/coach/coach.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/connector.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/random_ids.hpp"
#include "bot/engine/conversation.hpp"
#include "bot/engine/group_desk.hpp"
#include "bot/engine/nudge_runner.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/safety_desk.hpp"
#include "bot/engine/schedule.hpp"
#include "bot/engine/store_reader.hpp"
#include "bot/engine/unit_of_work.hpp"
#include "bot/store/store.hpp"
#include "bot/store/store_error.hpp"

namespace bounceback::app {

namespace asio = boost::asio;
using core::Outgoing;
using core::Person;

namespace {

std::string render_directory(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + ("• " + line);
  return out;
}

}  // namespace

// The parts (bot/engine) on one strand: a message is dispatched to the desk it belongs to,
// the unit of work commits it, and the strand's timers run the schedule and the delivery
// marks. Everything here runs on the strand.
struct Core::Impl : std::enable_shared_from_this<Core::Impl> {
  Impl(asio::io_context& io, store::Store& store, const core::Clock& clock, core::Metrics& metrics,
       coach::Coach& coach, Settings settings)
      : strand(asio::make_strand(io)), store(store), clock(clock), metrics(metrics), settings(std::move(settings)),
        cache(store, clock, metrics),
        reader([this](std::function<void()> f) { asio::post(strand, std::move(f)); }, this->settings.read_off_strand),
        work(store, cache, clock, metrics, [this](std::function<void()> f) { asio::post(strand, std::move(f)); },
             [this](const Outgoing& m) { hand_over(m); }, store.max_outbox_id() + 1),
        schedule(load_schedule(store), clock, metrics, this->settings.nudge_rules),
        conversation(cache, work, schedule, coach, clock,
                     {this->settings.default_timezone, render_directory(this->settings.help_directory), this->settings.nudge_rules}),
        safety(this->settings.safety, cache, conversation, metrics, this->settings.default_country),
        groups(cache, work, schedule, safety, coach, clock, metrics, store.load_memberships()),
        nudges(cache, schedule, conversation, groups, metrics, this->settings.nudge_rules),
        delivered_timer(io), timer(io) {
    if (this->settings.read_off_strand) cache.use_reader(&reader);
    schedule.on_change([this] { arm(); });
    conversation.on_crisis([this](Person& person, const dialog::DialogState& state, coach::CoachTurn& turn) {
      safety.crisis_from_dialog(person, state, turn.replies, this->clock.now());
    });
    conversation.on_describe([this](const Person& person, const dialog::DialogState& state, dialog::DialogContext& context) {
      safety.describe(person, state, context);
    });
    conversation.on_step_done([this](const Person& person, const coach::GoalActions::CompletedStep& step,
                                     dialog::VariantRng& rng, coach::CoachTurn& turn) {
      groups.offer_share(person, step, rng, turn);
    });
  }

  static std::vector<core::DueItem> load_schedule(store::Store& store) {
    auto started = std::chrono::steady_clock::now();
    auto items = store.load_due();  // the schedule, not the people
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    spdlog::info("schedule: {} due items loaded in {:.2f} s", items.size(), took.count());
    return items;
  }

  asio::strand<asio::io_context::executor_type> strand;
  store::Store& store;
  const core::Clock& clock;
  core::Metrics& metrics;
  Settings settings;
  std::map<std::string, core::Connector*, std::less<>> connectors;

  engine::PersonCache cache;
  engine::StoreReader reader;  // after the cache: stopped before it
  engine::UnitOfWork work;
  engine::Schedule schedule;
  engine::Conversation conversation;
  engine::SafetyDesk safety;
  engine::GroupDesk groups;
  engine::NudgeRunner nudges;

  // Delivery marks ride along with the next commit; this timer writes them on their own
  // when no commit comes soon.
  asio::steady_timer delivered_timer;
  bool delivered_timer_armed = false;
  static constexpr auto kDeliveredWait = std::chrono::milliseconds(25);

  // The one timer, armed for the schedule's earliest item.
  asio::steady_timer timer;
  std::optional<core::TimePoint> armed_for;

  // Commits `tx`; afterwards, on the strand, hands its messages to their connectors
  // (unless `deliver` is false) and calls `then`. The core lives until then.
  void commit(store::Transaction tx, bool deliver, std::function<void(store::CommitResult)> then) {
    work.commit(std::move(tx), deliver, [self = shared_from_this(), then = std::move(then)](store::CommitResult result) {
      if (then) then(std::move(result));
    });
  }

  // Delivery marks from a connector, written with the next commit (or on their own soon).
  void mark_delivered(const core::Address& to, const std::vector<std::int64_t>& ids);

  void hand_over(const Outgoing& m) {
    auto it = connectors.find(m.to.connector);
    if (it == connectors.end()) return;  // connector disabled: the message waits in the outbox
    it->second->deliver(m);
  }

  // `ack` (may be empty) learns whether the message's own transaction reached the disk.
  void receive(core::Incoming message, core::Inbox::Acknowledge ack) {
    auto acknowledge = [&ack](bool durable) {
      if (ack) ack(durable);
    };
    if (message.at == core::TimePoint{}) message.at = clock.now();
    if (cache.forgotten(message.from)) return acknowledge(true);  // nothing of theirs is kept, by their wish
    store::Transaction tx;
    if (!message.cursor_key.empty()) tx.settings.emplace_back(message.cursor_key, message.cursor_value);
    auto found = cache.find(message.from);
    if (found.failed) return acknowledge(false);
    Person* person = found.person ? found.person : &cache.create(message.from, "");
    if (found.person && person->last_seen != core::TimePoint{} && message.at > person->last_seen)
      message.quiet_before = std::chrono::duration_cast<std::chrono::milliseconds>(message.at - person->last_seen);
    person->last_seen = message.at;
    person->nudges.unanswered = 0;  // any answer brings the usual rhythm back
    person->nudges.skipped_last = false;
    if (person->nudges.paused && person->nudges.unreachable) {  // blocked the bot, and now writes again
      person->nudges.paused = false;
      person->nudges.unreachable = false;
    }
    if (message.in_group()) {
      if (!groups.receive(*person, message, tx)) {
        cache.undo(person->id);  // its last_seen and nudge changes were not stored
        return acknowledge(false);
      }
    } else if (!safety.answer_private(*person, message, tx) && !groups.share_choice(*person, message, tx)) {
      auto turn = conversation.decide(*person, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
        return conversation.coach().answer(*person, state, message, context, domain);
      });
      if (wants(turn, "forget_everything"))
        return forget(*person, turn, message.correlation_id, std::move(tx), std::move(ack));
      if (wants(turn, "export_data"))
        return export_data(*person, std::move(turn), message.correlation_id, std::move(tx), std::move(ack));
      work.address(*person, turn.replies, message.correlation_id, tx.outbox);
    }
    commit(std::move(tx), /*deliver=*/true, [ack = std::move(ack)](store::CommitResult result) {
      if (ack) ack(result.ok);
    });
  }

  static bool wants(const coach::CoachTurn& turn, const char* action) {
    for (const auto& a : turn.actions)
      if (a.name == action) return true;
    return false;
  }

  // --- the schedule ---------------------------------------------------------------------

  // One timer for the earliest item. At most a minute ahead, so a wall-clock jump (NTP,
  // suspend) is noticed within a minute.
  void arm() {
    if (settings.manual_clock) return;  // the test clock moves only through run_due()
    auto earliest = schedule.earliest();
    if (!earliest || (armed_for && *armed_for <= *earliest)) return;
    auto wait = std::clamp<std::chrono::milliseconds>(*earliest - clock.now(), std::chrono::milliseconds(0),
                                                      std::chrono::minutes(1));
    armed_for = *earliest;
    timer.expires_after(wait);
    timer.async_wait(asio::bind_executor(strand, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;  // re-armed for an earlier item, or stopping
      self->armed_for.reset();
      self->run_due(nullptr);
    }));
  }

  // What is due, in chunks, one transaction each, letting people's messages in between.
  void run_due(std::function<void()> done) {
    auto now = clock.now();
    auto items = schedule.take_due(now, engine::NudgeRunner::kChunk);
    engine::PersonCache::Wanted wanted;
    for (const auto& item : items) wanted.ids.push_back(item.person);
    cache.ensure(std::move(wanted), [self = shared_from_this(), now, items = std::move(items), done = std::move(done)]() mutable {
      self->fire(std::move(items), now, std::move(done));
    });
  }

  void fire(std::vector<core::DueItem> items, core::TimePoint now, std::function<void()> done) {
    auto chunk = nudges.fire(std::move(items), now);
    bool more = chunk.more;
    commit(std::move(chunk.tx), true, [self = shared_from_this(), more, fired = std::move(chunk.fired),
                                       done = std::move(done)](store::CommitResult result) mutable {
      self->nudges.settle(fired, result.ok);
      // Not in a loop against a failing store: the timer or the next clock move tries again.
      if (more && result.ok) return self->run_due(std::move(done));
      self->armed_for.reset();
      self->arm();
      if (done) done();
    });
  }

  void evict_idle(std::function<void()> done) {
    // Everything submitted before this empty commit is on disk when it answers; a person
    // touched after it was submitted has a newer time and stays.
    auto cutoff = clock.now() - settings.cache_idle;
    commit({}, false, [this, cutoff, done = std::move(done)](store::CommitResult) {
      if (auto n = cache.evict_idle(cutoff)) spdlog::debug("core: {} idle people left the cache", n);
      if (done) done();
    });
  }

  // --- privacy: deleting and exporting ----------------------------------------------------

  // /forget, confirmed: every row of the person goes in one transaction. The goodbye is
  // handed to the connector without being stored, and their sessions are closed.
  void forget(Person& person, const coach::CoachTurn& turn, const std::string& correlation_id, store::Transaction tx,
              core::Inbox::Acknowledge ack) {
    tx.forget_person = person.id;
    groups.leave_all(person.id, tx);
    std::vector<Outgoing> goodbye;
    work.address(person, turn.replies, correlation_id, goodbye);
    for (auto& m : goodbye) m.id = 0;  // not in the outbox: nothing to acknowledge
    core::Address address = person.address;
    cache.forget(address);
    commit(std::move(tx), false, [this, goodbye = std::move(goodbye), address, ack = std::move(ack)](store::CommitResult result) {
      if (ack) ack(result.ok);
      if (!result.ok) {
        cache.may_come_back(address);  // nothing was deleted: they are read from the store again
        return;
      }
      for (const auto& m : goodbye) hand_over(m);
      if (auto it = connectors.find(address.connector); it != connectors.end()) it->second->forget(address.user);
      may_come_back(address);
    });
  }

  // A web chat person is gone for good once deleted: their id is never given again, and a
  // late frame from an old session must not bring them back. A Telegram or Matrix chat is
  // the same chat when they write again: once the deletion is on disk, that is someone
  // starting anew (and screened like anyone; it was silently dropped until a restart).
  void may_come_back(const core::Address& address) {
    if (address.connector != "websocket") cache.may_come_back(address);
  }

  // Retention: people gone quiet for longer than the config allows are deleted like /forget.
  void sweep(std::function<void()> done) {
    store::Transaction tx;
    auto now = clock.now();
    tx.forget_inactive = std::make_pair(now - std::chrono::hours(24) * settings.retention_days,
                                        now - std::chrono::hours(24) * settings.unfinished_onboarding_days);
    commit(std::move(tx), false, [this, done = std::move(done)](store::CommitResult result) {
      for (const auto& address : result.forgotten) {
        cache.forget(address);
        if (auto it = connectors.find(address.connector); it != connectors.end()) it->second->forget(address.user);
        may_come_back(address);
      }
      if (!result.forgotten.empty()) spdlog::info("privacy: {} inactive people deleted", result.forgotten.size());
      store::Transaction left;
      for (auto id : result.forgotten_ids) groups.leave_all(id, left);
      if (!left.people.empty()) commit(std::move(left), false, nullptr);
      if (done) done();
    });
  }

  // /export: the data is read after this transaction commits, then sent with the replies.
  void export_data(Person& person, coach::CoachTurn turn, const std::string& correlation_id, store::Transaction tx,
                   core::Inbox::Acknowledge ack) {
    cache.book_record(person).write(person.id, tx, /*snapshot=*/true);  // the export reads the whole book
    tx.read_export_for = person.id;
    cache.record(person).last_export = clock.now();
    core::PersonId id = person.id;
    commit(std::move(tx), false, [this, id, turn = std::move(turn), correlation_id, ack = std::move(ack)](store::CommitResult result) {
      if (ack) ack(result.ok);
      Person* person = cache.cached(id);
      if (!result.ok || !person) return;
      std::vector<core::Reply> replies = {{core::MessageKind::export_data, result.export_json, {}}};
      replies.insert(replies.end(), turn.replies.begin(), turn.replies.end());
      store::Transaction send;
      work.address(*person, replies, correlation_id, send.outbox);
      commit(std::move(send), true, nullptr);
    });
  }

  // --- the web chat -----------------------------------------------------------------------

  void web_hello(std::string token, std::function<void(core::WebHelloResult)> done) {
    store::Transaction tx;
    std::string new_token;
    Person* person = nullptr;
    if (token.empty()) {
      new_token = core::random_token(24);  // 192 bits
      person = &cache.create({"websocket", core::random_token(9)}, core::sha256_hex(new_token));
      conversation.answer(*person, "", tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
        return conversation.coach().first_contact(*person, state, context, domain);
      });
    } else {
      auto found = cache.find_by_token(core::sha256_hex(token));
      if (found.failed) return done({core::WebHelloResult::Status::unavailable, {}, {}, {}});
      person = found.person;
      if (!person) return done({core::WebHelloResult::Status::unauthorized, {}, {}, {}});
      person->last_seen = clock.now();
      tx.people.push_back(*person);
    }
    tx.read_undelivered_for = person->id;
    std::string user = person->address.user;
    // What this hello produced reaches the session through the backlog, not deliver().
    core::PersonId id = person->id;
    commit(std::move(tx), /*deliver=*/false,
           [this, id, done = std::move(done), user, new_token](store::CommitResult result) {
             if (!result.ok) return done({core::WebHelloResult::Status::unavailable, {}, {}, {}});
             // Nudges past their lateness are dropped from the backlog (and count as handled).
             store::Transaction dropped;
             auto now = clock.now();
             std::erase_if(result.undelivered, [&](const Outgoing& m) {
               if (!nudges.stale(m, now)) return false;
               dropped.delivered.emplace_back(m.id, id);
               return true;
             });
             if (!dropped.delivered.empty()) commit(std::move(dropped), false, nullptr);
             done({core::WebHelloResult::Status::ok, user, new_token, std::move(result.undelivered)});
           });
  }

};

Core::Core(asio::io_context& io, store::Store& store, const core::Clock& clock, core::Metrics& metrics,
           coach::Coach& coach, Settings settings)
    : impl_(std::make_shared<Impl>(io, store, clock, metrics, coach, std::move(settings))) {}

void Core::replace_safety(std::shared_ptr<const safety::SafetyPolicy> policy) {
  auto kit = engine::SafetyDesk::prepare(std::move(policy));  // built here, off the strand
  asio::post(impl_->strand, [impl = impl_, kit = std::move(kit)]() mutable { impl->safety.replace(std::move(kit)); });
}

void Core::replace_dialogs(std::shared_ptr<const dialog::DialogSet> dialogs) {
  asio::post(impl_->strand, [impl = impl_, dialogs = std::move(dialogs)]() mutable {
    impl->conversation.coach().replace_dialogs(std::move(dialogs));
  });
}

Core::~Core() = default;

void Core::attach(core::Connector& connector) { impl_->connectors[std::string(connector.name())] = &connector; }

void Core::web_hello(std::string token, std::function<void(core::WebHelloResult)> done) {
  asio::post(impl_->strand, [impl = impl_, token = std::move(token), done = std::move(done)]() mutable {
    engine::PersonCache::Wanted wanted;
    if (!token.empty()) wanted.token_hash = core::sha256_hex(token);
    impl->cache.ensure(std::move(wanted), [impl, token = std::move(token), done = std::move(done)]() mutable {
      impl->web_hello(std::move(token), std::move(done));
    });
  });
}

void Core::receive(core::Incoming message, Acknowledge committed) {
  asio::post(impl_->strand, [impl = impl_, message = std::move(message), committed = std::move(committed)]() mutable {
    engine::PersonCache::Wanted wanted{{message.from}, {}, {}};
    if (message.in_group()) wanted.addresses.push_back(message.group);
    impl->cache.ensure(std::move(wanted), [impl, message = std::move(message), committed = std::move(committed)]() mutable {
      impl->receive(std::move(message), std::move(committed));
    });
  });
}

void Core::checkpoint(std::string key, std::string value, Acknowledge done) {
  asio::post(impl_->strand, [impl = impl_, key = std::move(key), value = std::move(value), done = std::move(done)]() mutable {
    store::Transaction tx;
    tx.settings.emplace_back(std::move(key), std::move(value));
    impl->commit(std::move(tx), false, [done = std::move(done)](store::CommitResult result) {
      if (done) done(result.ok);
    });
  });
}

void Core::unreachable(core::Address who) {
  asio::post(impl_->strand, [impl = impl_, who = std::move(who)] {
    impl->cache.ensure({{who}, {}, {}}, [impl, who] {
      core::Person* person = impl->cache.find(who).person;
      if (!person || person->nudges.paused) return;
      person->nudges.paused = true;  // no nudges into a chat that refuses them
      person->nudges.unreachable = true;
      store::Transaction tx;
      tx.people.push_back(*person);
      impl->commit(std::move(tx), false, nullptr);
    });
  });
}

void Core::delivered(core::Address to, std::vector<std::int64_t> outbox_ids) {
  asio::post(impl_->strand, [impl = impl_, to = std::move(to), ids = std::move(outbox_ids)] {
    impl->cache.ensure({{to}, {}, {}}, [impl, to, ids] { impl->mark_delivered(to, ids); });
  });
}

void Core::Impl::mark_delivered(const core::Address& to, const std::vector<std::int64_t>& ids) {
  Person* person = cache.find(to).person;
  if (!person) return;
  work.mark_delivered(person->id, ids);
  if (delivered_timer_armed) return;
  delivered_timer_armed = true;
  delivered_timer.expires_after(kDeliveredWait);
  delivered_timer.async_wait(asio::bind_executor(strand, [self = shared_from_this()](boost::system::error_code) {
    self->delivered_timer_armed = false;
    if (self->work.marks_waiting()) self->commit({}, false, nullptr);  // no commit took them along
  }));
}

void Core::evict_idle(std::function<void()> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)]() mutable { impl->evict_idle(std::move(done)); });
}

void Core::run_due(std::function<void()> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)]() mutable { impl->run_due(std::move(done)); });
}

void Core::redeliver(const std::string& connector) {
  asio::post(impl_->strand, [impl = impl_, connector] {
    std::vector<Outgoing> waiting;
    try {
      waiting = impl->store.undelivered_for_connector(connector);
    } catch (const store::StoreError& e) {
      spdlog::error("core: cannot read unsent messages for {}: {}", connector, e.what());
      return;
    }
    store::Transaction retired;
    auto now = impl->clock.now();
    for (const auto& m : waiting) {
      if (impl->nudges.stale(m, now)) retired.delivered.emplace_back(m.id, m.person);
      else impl->hand_over(m);
    }
    if (!retired.delivered.empty()) impl->commit(std::move(retired), false, nullptr);
    if (!waiting.empty()) spdlog::info("{}: {} unsent message(s) from before the restart", connector, waiting.size());
  });
}

void Core::sweep_retention(std::function<void()> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)]() mutable { impl->sweep(std::move(done)); });
}

void Core::flush(std::function<void()> done) {
  asio::post(impl_->strand, [impl = impl_, done = std::move(done)]() mutable {
    impl->commit({}, false, [done = std::move(done)](store::CommitResult) { done(); });
  });
}

}  // namespace bounceback::app
