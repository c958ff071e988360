#include "bot/app/core.hpp"

#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <spdlog/spdlog.h>
#include <unordered_map>
#include <unordered_set>

#include "bot/coach/coach.hpp"
#include "bot/coach/goal_actions.hpp"
#include "bot/coach/goal_book.hpp"
#include "bot/coach/group_coach.hpp"
#include "bot/coach/nudge_actions.hpp"
#include "bot/coach/nudge_policy.hpp"
#include "bot/schedule/due_queue.hpp"
#include "bot/schedule/local_time.hpp"
#include "bot/safety/safety_policy.hpp"
#include "bot/safety/safety_responder.hpp"
#include "bot/safety/safety_screen.hpp"
#include "bot/safety/zone_country.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/dialog/interpreter.hpp"
#include "bot/engine/person_cache.hpp"
#include "bot/engine/unit_of_work.hpp"
#include "bot/core/clock.hpp"
#include "bot/core/connector.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/random_ids.hpp"
#include "bot/store/store.hpp"
#include "bot/store/store_error.hpp"
#include "bot/core/text_parts.hpp"

namespace bounceback::app {

namespace asio = boost::asio;
using core::Outgoing;
using core::Person;

namespace {
// /export at most this often per person: each one is a full copy of what is kept.
constexpr auto kExportInterval = std::chrono::minutes(10);
}  // namespace

struct Core::Impl : std::enable_shared_from_this<Core::Impl> {
  Impl(asio::io_context& io, store::Store& store, const core::Clock& clock, core::Metrics& metrics,
       coach::Coach& coach, Settings settings)
      : strand(asio::make_strand(io)), store(store), clock(clock), metrics(metrics), coach(coach),
        settings(std::move(settings)), safety(std::make_shared<const SafetyKit>(this->settings.safety)),
        cache(store, clock, metrics),
        work(store, cache, clock, metrics, [this](std::function<void()> f) { asio::post(strand, std::move(f)); },
             [this](const Outgoing& m) { hand_over(m); }, store.max_outbox_id() + 1),
        delivered_timer(io), next_person_id(store.max_person_id() + 1), timer(io) {
    auto started = std::chrono::steady_clock::now();
    due = schedule::DueQueue(store.load_due());  // the schedule, not the people
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    spdlog::info("schedule: {} due items loaded in {:.2f} s", due.size(), took.count());
    report_due_items();
    for (auto [group, person] : store.load_memberships()) groups_of[person].push_back(group);
    for (const auto& line : this->settings.help_directory) help_directory += (help_directory.empty() ? "" : "\n") + ("• " + line);
  }

  asio::strand<asio::io_context::executor_type> strand;
  store::Store& store;
  const core::Clock& clock;
  core::Metrics& metrics;
  coach::Coach& coach;
  Settings settings;
  // The policy with the screen and replies built from it; replaced whole on reload.
  struct SafetyKit {
    explicit SafetyKit(std::shared_ptr<const safety::SafetyPolicy> p) : policy(std::move(p)), screen(*policy), responder(*policy) {}
    std::shared_ptr<const safety::SafetyPolicy> policy;
    safety::SafetyScreen screen;
    safety::SafetyResponder responder;
  };
  std::shared_ptr<const SafetyKit> safety;
  std::string help_directory;  // rendered once: "• ...\n• ..."
  std::map<std::string, core::Connector*, std::less<>> connectors;

  engine::PersonCache cache;
  engine::UnitOfWork work;

  coach::GoalBook& book_of(Person& person) { return cache.book(person); }
  dialog::DialogState& state_of(const Person& person) { return cache.state(person); }
  void write_book(Person& person, store::Transaction& tx, bool snapshot = false) {
    cache.book_record(person).write(person.id, tx, snapshot);
  }

  // Delivery marks ride along with the next commit; this timer writes them on their own
  // when no commit comes soon.
  asio::steady_timer delivered_timer;
  bool delivered_timer_armed = false;
  static constexpr auto kDeliveredWait = std::chrono::milliseconds(25);

  // Which group support channels each person is in (loaded at start; small next to people).
  std::unordered_map<core::PersonId, std::vector<core::PersonId>> groups_of;

  core::PersonId next_person_id;

  // Everything scheduled, earliest first, and the one timer armed for its front.
  schedule::DueQueue due;
  asio::steady_timer timer;
  std::optional<core::TimePoint> armed_for;
  void report_due_items() { metrics.set_gauge("bounceback_due_items", {}, static_cast<double>(due.size())); }

  void evict_idle(std::function<void()> done) {
    // Everything submitted before this empty commit is on disk when it answers; a person
    // touched after it was submitted has a newer time and stays.
    auto cutoff = clock.now() - settings.cache_idle;
    commit({}, false, [this, cutoff, done = std::move(done)](store::CommitResult) {
      if (auto n = cache.evict_idle(cutoff)) spdlog::debug("core: {} idle people left the cache", n);
      if (done) done();
    });
  }

  Person& create(core::Address address, std::string token_hash) {
    return cache.create(std::move(address), std::move(token_hash), next_person_id++);
  }

  // What templates and conditions may read about this person (dialog::builtin_variables()).
  dialog::DialogContext context_for(const Person& person, const dialog::DialogState& state) const {
    auto var = [&](const char* name, const char* fallback) {
      auto it = state.vars.find(name);
      return it == state.vars.end() || it->second.empty() ? std::string(fallback) : it->second;
    };
    return {
        {"name", person.display_name.empty() ? "friend" : person.display_name},
        {"timezone", person.timezone.empty() ? settings.default_timezone : person.timezone},
        {"help_directory", help_directory},
        {"onboarded", state.onboarded ? "1" : ""},
        {"safety_pause", paused(person) ? "1" : ""},
        {"nudge_time", var("nudge_time", "")},
        {"export_wait", exported_lately(person) ? "1" : ""},
    };
  }

  bool exported_lately(const Person& person) const {
    const auto& last = cache.record(person).last_export;
    return last && clock.now() - *last < kExportInterval;
  }

  bool paused(const Person& person) const { return person.safety_pause_until > clock.now(); }

  // Crisis resources follow the person: their own setting, else their time zone's country.
  std::string country_of(const Person& person, const dialog::DialogState& state) const {
    if (auto it = state.vars.find("country"); it != state.vars.end() && !it->second.empty()) return it->second;
    if (auto c = safety::country_for_zone(person.timezone); !c.empty()) return c;
    return settings.default_country;
  }

  // What the screen knows besides the message: the person's previous words of the last
  // few minutes, and whether a crisis came lately (then it listens more closely).
  safety::ScreenResult screen(const Person& person, const core::Incoming& message) {
    safety::ScreenContext context;
    context.after_crisis = paused(person);
    auto window = std::chrono::minutes(safety->policy->context_minutes);
    auto& last = cache.record(person).last_words;
    if (!last.text.empty() && message.at >= last.at && message.at - last.at <= window) context.previous = last.text;
    safety::ScreenResult result = safety->screen.screen(message.text, context);
    last = {core::shorten(message.text, 2000), message.at};
    if (result.kind != safety::ScreenResult::Kind::none) {
      metrics.add_counter("bounceback_safety_hits_total", {{"category", result.category}});
      metrics.add_counter("bounceback_safety_answers_total", {{"answer", answer_name(result.kind)}});
    }
    return result;
  }

  static const char* answer_name(safety::ScreenResult::Kind kind) {
    switch (kind) {
      case safety::ScreenResult::Kind::crisis: return "crisis";
      case safety::ScreenResult::Kind::ask: return "ask";
      case safety::ScreenResult::Kind::coping_risk: return "coping";
      default: return "none";
    }
  }

  // The crisis reply, or for someone else in danger now the emergency number first.
  core::Reply crisis_reply(const std::string& category, const std::string& country, const std::string& lang) const {
    if (category == "someone_else") return safety->responder.someone_else(country, lang);
    return safety->responder.crisis(country, lang);
  }

  // The safety screen, before anything else sees the message. Returns true when it answered.
  bool screen_first(Person& person, const core::Incoming& message, store::Transaction& tx) {
    using Responder = safety::SafetyResponder;
    if (message.is_choice() && Responder::is_safety_choice(message.choice_id)) {
      // Named, not a structured binding: lambdas below capture them (clang 14 cannot).
      const auto parsed = Responder::parse_choice(message.choice_id);
      const std::string id = parsed.id, lang = parsed.language;
      if (id == Responder::kYes || id == Responder::kUnsure) {
        // Asked directly, and the answer is yes or not sure: not sure counts as yes.
        metrics.add_counter("bounceback_safety_asked_total", {{"answer", id == Responder::kYes ? "yes" : "unsure"}});
        person.safety_pause_until = message.at + std::chrono::hours(safety->policy->pause_hours);
        converse(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext&, dialog::ActionHandler*) {
          return coach::CoachTurn{{safety->responder.crisis(country_of(person, state), lang)}, {}};
        });
        return true;
      }
      converse(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
        coach::CoachTurn t;
        if (id == Responder::kContacts) {
          t.replies.push_back(safety->responder.contacts(country_of(person, state), lang));
          return t;
        }
        if (id == Responder::kNo) {
          metrics.add_counter("bounceback_safety_asked_total", {{"answer", "no"}});
          t.replies.push_back(safety->responder.ask_no(lang));
        } else if (id == Responder::kNotMeant) {
          person.safety_pause_until = {};  // a false alarm: no reason to hold anything back
          t.replies.push_back(safety->responder.not_meant(lang));
        } else {
          t.replies.push_back(safety->responder.safe(lang));
        }
        auto again = coach.reprompt(person, state, context, domain);
        t.replies.insert(t.replies.end(), again.replies.begin(), again.replies.end());
        return t;
      });
      return true;
    }
    if (message.is_choice()) return false;
    safety::ScreenResult result = screen(person, message);
    if (result.kind == safety::ScreenResult::Kind::none) return false;
    if (result.crisis()) {
      person.safety_pause_until = message.at + std::chrono::hours(safety->policy->pause_hours);
      converse(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext&, dialog::ActionHandler*) {
        // The dialog stays where it was: "I'm safe, continue" picks it up again.
        return coach::CoachTurn{{crisis_reply(result.category, country_of(person, state), result.language)}, {}};
      });
      return true;
    }
    if (result.asks()) {
      // Not plain enough to be sure: ask, as crisis counsellors do. The dialog stays.
      converse(person, message.correlation_id, tx, [&](dialog::DialogState&, const dialog::DialogContext&, dialog::ActionHandler*) {
        return coach::CoachTurn{{safety->responder.ask(result.language)}, {}};
      });
      return true;
    }
    converse(person, message.correlation_id, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
      return coach.start_at(person, state, "coping", "risk", context, domain);
    });
    return true;
  }

  // Applies the preferences the dialogs asked for, after the turn. Goal and nudge actions
  // were applied as the dialog reached them (GoalActions, NudgeActions).
  void apply(Person& person, const std::vector<dialog::DialogAction>& actions) {
    for (const auto& a : actions) {
      if (a.name == "set_preference") {
        const std::string& key = a.args.at("key");
        const std::string& value = a.args.at("value");
        if (key == "name") person.display_name = core::shorten(value, 100);
        else if (key == "timezone" && dialog::validate_answer("timezone", value)) person.timezone = *dialog::validate_answer("timezone", value);
      }
    }
  }

  // Runs the coach for one person: their new state goes into `tx`; the turn comes back.
  // Goal actions are applied as the dialog reaches them (GoalActions), the rest after.
  template <typename Decide>
  coach::CoachTurn decide_for(Person& person, store::Transaction& tx, Decide decide) {
    dialog::DialogState& state = state_of(person);
    coach::GoalBook& book = book_of(person);
    dialog::DialogContext context = context_for(person, state);
    auto now = clock.now();
    std::string zone = context["timezone"];
    coach::GoalActions::describe(book, context, now, zone);
    coach::NudgeActions::describe(person, context, now, settings.nudge_rules);
    dialog::VariantRng rng(static_cast<std::uint64_t>(person.id) << 32 ^ state.turns);
    coach::GoalActions goals(book, context, state, coach.dialogs(), rng, now, zone, paused(person));
    coach::NudgeActions nudges(person, book, context, now, settings.nudge_rules, &goals);
    const std::string zone_before = person.timezone;
    const auto times_before = person.nudges.times;
    const auto remind_before = person.nudges.remind_at;
    coach::CoachTurn turn = decide(state, context, &nudges);
    write_book(person, tx);
    if (goals.completed() && !paused(person)) offer_share(person, *goals.completed(), rng, turn);
    apply(person, turn.actions);
    if (person.timezone != zone_before || person.nudges.times != times_before) {
      replan(person, tx);  // a new zone or new times: every item of the person again
    } else if (person.nudges.remind_at != remind_before && person.nudges.remind_at > now) {
      schedule_item({person.nudges.remind_at, person.id, person.nudges.epoch, 0, core::DueKind::remind}, tx);
    }
    if (paused(person))  // no cheerful message right after a crisis
      for (auto& r : turn.replies)
        if (r.kind == core::MessageKind::celebration) r.kind = core::MessageKind::reply;
    person.dialog_state = state.to_json();
    tx.people.push_back(person);
    return turn;
  }

  // The same, with the replies queued in `tx` as the answer to `correlation_id`.
  template <typename Decide>
  void converse(Person& person, const std::string& correlation_id, store::Transaction& tx, Decide decide) {
    auto turn = decide_for(person, tx, decide);
    address_replies(person, turn.replies, correlation_id, tx.outbox);
  }

  // --- the schedule ---------------------------------------------------------------------

  void schedule_item(const core::DueItem& item, store::Transaction& tx) {
    due.push(item);
    tx.due.push_back(item);
    arm();
  }

  // The person's due items rebuilt under a new epoch; the old ones are dropped when due.
  void replan(Person& person, store::Transaction& tx) {
    tx.due_cleared.push_back(person.id);
    for (const auto& item : coach::plan_nudges(person, clock.now(), settings.nudge_rules)) schedule_item(item, tx);
  }

  // One timer for the earliest item. At most a minute ahead, so a wall-clock jump (NTP,
  // suspend) is noticed within a minute.
  void arm() {
    if (settings.manual_clock) return;  // the test clock moves only through run_due()
    auto earliest = due.earliest();
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

  // Takes what is due in chunks, one transaction each, letting people's messages in between.
  static constexpr std::size_t kDueChunk = 256;
  // What a chunk changed, to put back if its commit fails: then its nudges are tried
  // again at the next run instead of being lost.
  struct Fired {
    core::DueItem item;
    core::NudgeSettings before;
    core::GroupInfo group_before;         // a group's check-in counts (empty for a person)
    std::optional<core::DueItem> next = std::nullopt;  // queued once the chunk is committed, not before:
                                                       // a failed chunk is tried again and queues it then
  };

  void run_due(std::function<void()> done) {
    auto now = clock.now();
    auto items = due.pop_due(now, kDueChunk);
    store::Transaction tx;
    std::vector<Fired> fired;
    for (const auto& item : items) fire(item, now, tx, fired);
    bool more = items.size() == kDueChunk;
    commit(std::move(tx), true, [self = shared_from_this(), more, fired = std::move(fired),
                                 done = std::move(done)](store::CommitResult result) mutable {
      if (!result.ok) {
        for (const auto& f : fired) {
          if (Person* p = self->cache.cached(f.item.person)) {
            p->nudges = f.before;
            if (p->is_group()) p->group = f.group_before;
          }
          self->due.push(f.item);  // as it was: due again now
        }
        more = false;  // not in a loop against a failing store: the timer or the next clock move tries again
      } else {
        for (const auto& f : fired)
          if (f.next) self->due.push(*f.next);
      }
      if (more) return self->run_due(std::move(done));
      self->armed_for.reset();
      self->arm();
      self->report_due_items();
      if (done) done();
    });
  }

  static coach::Coach::ScheduledKind scheduled_kind(coach::NudgeDecision::Send send) {
    switch (send) {
      case coach::NudgeDecision::Send::step_nudge: return coach::Coach::ScheduledKind::step_nudge;
      case coach::NudgeDecision::Send::checkin: return coach::Coach::ScheduledKind::checkin;
      default: return coach::Coach::ScheduledKind::encouragement;
    }
  }

  // One due item: the nudge policy decides; what is sent goes through the outbox like a reply.
  void fire(const core::DueItem& item, core::TimePoint now, store::Transaction& tx, std::vector<Fired>& fired) {
    auto found = cache.find_by_id(item.person);
    if (found.failed) {
      due.push(item);  // tried again with the next item that falls due
      return;
    }
    Person* person = found.person;
    if (!person) {
      tx.due_done.push_back(item);
      return;
    }
    core::NudgeSettings& n = person->nudges;
    if (item.epoch != n.epoch) return;  // from before a change: its replacement is queued
    if (item.kind == core::DueKind::daily && std::find(n.times.begin(), n.times.end(), item.slot) == n.times.end())
      return;
    if (item.kind == core::DueKind::remind && item.due != n.remind_at) return;  // a later snooze replaced it
    if (person->is_group()) return fire_group_checkin(*person, item, now, tx, fired);
    const coach::Goal* goal = book_of(*person).current();
    bool open_step = goal && goal->done() < goal->total();
    const core::NudgeSettings before = n;
    fired.push_back({item, before, {}});
    auto decision = coach::decide_nudge(*person, item, open_step, now, settings.nudge_rules);
    metrics.add_counter("bounceback_nudges_total", {{"result", decision.why}});
    if (decision.next) {
      core::DueItem moved = item;
      moved.due = *decision.next;
      fired.back().next = moved;
      tx.due.push_back(moved);
    } else {
      tx.due_done.push_back(item);
    }
    if (decision.send == coach::NudgeDecision::Send::nothing) {
      if (n != before) tx.people.push_back(*person);
      return;
    }
    auto turn = decide_for(*person, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler*) {
      return coach.scheduled(*person, state, context, scheduled_kind(decision.send), decision.announce_half_rate);
    });
    address_replies(*person, turn.replies, "", tx.outbox);
  }

  // A nudge that waited in the outbox longer than its kind allows is not delivered late.
  bool stale(const Outgoing& m, core::TimePoint now) const {
    if (m.kind != core::MessageKind::nudge && m.kind != core::MessageKind::checkin) return false;
    const Person* person = cache.peek(m.person);
    const date::time_zone* zone =
        person ? coach::zone_of(*person, settings.nudge_rules) : schedule::zone_or_utc(settings.default_timezone);
    return coach::too_late(m.kind == core::MessageKind::checkin, m.created, now, zone, settings.nudge_rules);
  }

  static bool wants(const coach::CoachTurn& turn, const char* action) {
    for (const auto& a : turn.actions)
      if (a.name == action) return true;
    return false;
  }

  // /forget, confirmed: every row of the person goes in one transaction. The goodbye is
  // handed to the connector without being stored, and their sessions are closed.
  void forget(Person& person, const coach::CoachTurn& turn, const std::string& correlation_id, store::Transaction tx,
              core::Inbox::Acknowledge ack) {
    tx.forget_person = person.id;
    leave_groups(person.id, tx);
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

  // A group by its row id; null when it is gone, is not a group, or cannot be read now
  // (logged: a group lookup never stops what the person is doing).
  Person* find_group(core::PersonId id) {
    Person* group = cache.find_by_id(id).person;
    return group && group->is_group() ? group : nullptr;
  }

  // A person deleted: their shared wins and their place in check-in counts leave the
  // groups they were in (the rows change in `tx`).
  void leave_groups(core::PersonId person, store::Transaction& tx) {
    auto it = groups_of.find(person);
    if (it == groups_of.end()) return;
    for (auto id : it->second) {
      Person* group = find_group(id);
      if (!group) continue;
      group->group.forget_person(person);
      tx.people.push_back(*group);
    }
    groups_of.erase(it);
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
      store::Transaction groups;
      for (auto id : result.forgotten_ids) leave_groups(id, groups);
      if (!groups.people.empty()) commit(std::move(groups), false, nullptr);
      if (done) done();
    });
  }

  // /export: the data is read after this transaction commits, then sent with the replies.
  void export_data(Person& person, coach::CoachTurn turn, const std::string& correlation_id, store::Transaction tx,
                   core::Inbox::Acknowledge ack) {
    write_book(person, tx, /*snapshot=*/true);  // the export reads the whole book
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

  // Commits `tx`; afterwards, on the strand, hands its messages to their connectors
  // (unless `deliver` is false) and calls `then`. The core lives until then.
  void commit(store::Transaction tx, bool deliver, std::function<void(store::CommitResult)> then) {
    work.commit(std::move(tx), deliver, [self = shared_from_this(), then = std::move(then)](store::CommitResult result) {
      if (then) then(std::move(result));
    });
  }

  void address_replies(const Person& person, const std::vector<core::Reply>& replies,
                       const std::string& correlation_id, std::vector<Outgoing>& out, bool last = true) {
    work.address(person, replies, correlation_id, out, last);
  }

  void hand_over(const Outgoing& m) {
    auto it = connectors.find(m.to.connector);
    if (it == connectors.end()) return;  // connector disabled: the message waits in the outbox
    it->second->deliver(m);
  }

  void web_hello(std::string token, std::function<void(core::WebHelloResult)> done) {
    store::Transaction tx;
    std::string new_token;
    Person* person = nullptr;
    {
      if (token.empty()) {
        new_token = core::random_token(24);  // 192 bits
        person = &create({"websocket", core::random_token(9)}, core::sha256_hex(new_token));
        converse(*person, "", tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
          return coach.first_contact(*person, state, context, domain);
        });
      } else {
        auto found = cache.find_by_token(core::sha256_hex(token));
        if (found.failed) return done({core::WebHelloResult::Status::unavailable, {}, {}, {}});
        person = found.person;
        if (!person) return done({core::WebHelloResult::Status::unauthorized, {}, {}, {}});
        person->last_seen = clock.now();
        tx.people.push_back(*person);
      }
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
               if (!stale(m, now)) return false;
               dropped.delivered.emplace_back(m.id, id);
               return true;
             });
             if (!dropped.delivered.empty()) commit(std::move(dropped), false, nullptr);
             done({core::WebHelloResult::Status::ok, user, new_token, std::move(result.undelivered)});
           });
  }

  // --- group support channels -------------------------------------------------------------

  coach::GroupCoach group_coach() const { return coach::GroupCoach(coach.dialogs()); }

  static dialog::VariantRng rng_for(const Person& p, core::TimePoint now) {
    return dialog::VariantRng(static_cast<std::uint64_t>(p.id) << 32 ^ static_cast<std::uint64_t>(now.time_since_epoch().count()));
  }

  // The groups a person is in that bounceback can still post to (at most three are offered).
  std::vector<const Person*> reachable_groups(const Person& person) {
    std::vector<const Person*> out;
    auto it = groups_of.find(person.id);
    if (it == groups_of.end()) return out;
    for (auto id : it->second) {
      Person* group = find_group(id);
      if (group && !group->nudges.unreachable) out.push_back(group);
      if (out.size() == 3) break;
    }
    return out;
  }

  // After a step was crossed off privately: "share this win with <group>?", only for people
  // in a group with bounceback, and not during a safety pause.
  void offer_share(const Person& person, const coach::GoalActions::CompletedStep& step, dialog::VariantRng& rng,
                   coach::CoachTurn& turn) {
    if (person.is_group()) return;
    auto groups = reachable_groups(person);
    if (auto offer = group_coach().share_offer(groups, step.goal_index, step.number, rng))
      turn.replies.push_back(std::move(*offer));
  }

  static std::string winner_name(const Person& person) {
    return person.display_name.empty() ? std::string("Someone") : person.display_name;
  }

  // A tap on a share offer, in the person's private chat. False when the choice is not one.
  bool share_choice(Person& person, const core::Incoming& message, store::Transaction& tx) {
    if (!message.is_choice()) return false;
    auto choice = coach::parse_share_choice(message.choice_id);
    if (!choice) return false;
    auto now = clock.now();
    auto rng = rng_for(person, now);
    auto desk = group_coach();
    std::vector<core::Reply> replies;
    if (choice->keep) {
      replies.push_back(desk.private_word("share_kept", "", rng));
    } else {
      Person* group = nullptr;
      auto mine = groups_of.find(person.id);
      if (mine != groups_of.end() && std::find(mine->second.begin(), mine->second.end(), choice->group) != mine->second.end())
        group = find_group(choice->group);
      const auto& goals = book_of(person).goals();
      const coach::Step* step = nullptr;
      if (choice->goal_index >= 0 && choice->goal_index < static_cast<int>(goals.size()) &&
          choice->step_number <= goals[choice->goal_index].total()) {
        const auto& s = goals[choice->goal_index].steps[choice->step_number - 1];
        if (s.done_at) step = &s;
      }
      if (!group || group->nudges.unreachable || !step) {
        replies.push_back(desk.private_word("share_gone", "", rng));
      } else {
        auto t = desk.share(*group, person.id, winner_name(person), choice->with_step ? step->text : "", choice->key(), now, rng);
        if (t.group_changed) tx.people.push_back(*group);
        address_replies(*group, t.to_group, "", tx.outbox);
        replies = std::move(t.to_sender);
      }
    }
    std::erase_if(replies, [](const core::Reply& r) { return r.text.empty(); });
    tx.people.push_back(person);
    address_replies(person, replies, message.correlation_id, tx.outbox);
    return true;
  }

  // The group chat of a group message (null when it could not be read), created (or, for a pre-groups Telegram group row,
  // marked as a group) on first sight.
  Person* group_for(const core::Incoming& message, const Person& sender) {
    auto found = cache.find(message.group);
    if (found.failed) return nullptr;
    Person* group = found.person;
    if (!group) {
      group = &create(message.group, "");
      group->group.creator = sender.id;  // the admin of a websocket room
    }
    group->group.is_group = true;
    if (!message.group_title.empty()) group->display_name = core::shorten(message.group_title, 100);
    if (group->display_name.empty()) group->display_name = core::shorten(message.group.user, 100);
    return group;
  }

  void join(Person& person, Person& group, store::Transaction& tx) {
    auto& mine = groups_of[person.id];
    if (std::find(mine.begin(), mine.end(), group.id) != mine.end()) return;
    mine.push_back(group.id);
    tx.joined.emplace_back(group.id, person.id);
  }

  // Anything said or tapped in a group. The safety screen first: a brief caring word in
  // the group (never the person's words), the crisis reply privately. Then the group's
  // commands and check-in answers. Nothing of the person's private chat goes in.
  // False when the group could not be read (nothing was done).
  bool receive_in_group(Person& person, const core::Incoming& message, store::Transaction& tx) {
    Person* group = group_for(message, person);
    if (!group) return false;
    auto now = clock.now();
    group->last_seen = message.at;
    if (group->nudges.unreachable) {  // the platform refused it before; it is talking again
      group->nudges.unreachable = false;
      group->nudges.paused = false;
    }
    join(person, *group, tx);
    if (person.display_name.empty() && !message.sender_name.empty()) person.display_name = core::shorten(message.sender_name, 100);
    const bool reachable = message.reachable_privately || !person.dialog_state.empty();
    auto rng = rng_for(*group, now);
    std::vector<core::Reply> to_group, to_sender;
    bool person_saved = false;

    safety::ScreenResult screened;
    if (!message.is_choice() && !message.text.empty()) screened = screen(person, message);
    if (screened.kind != safety::ScreenResult::Kind::none) {
      metrics.add_counter("bounceback_group_safety_replies_total", {});
      std::string country = country_of(person, state_of(person));
      const std::string& lang = screened.language;
      to_group.push_back(reachable ? safety->responder.group(lang) : safety->responder.group_no_private(country, lang));
      if (screened.crisis()) {
        person.safety_pause_until = message.at + std::chrono::hours(safety->policy->pause_hours);
        if (reachable) to_sender.push_back(crisis_reply(screened.category, country, lang));
      } else if (screened.asks()) {
        if (reachable) to_sender.push_back(safety->responder.ask(lang));  // asked privately, never in the group
      } else if (reachable) {
        auto turn = decide_for(person, tx, [&](dialog::DialogState& st, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
          return coach.start_at(person, st, "coping", "risk", context, domain);
        });
        to_sender = std::move(turn.replies);
        person_saved = true;
      }
    } else {
      auto request = coach::parse_group_request(message);
      using Role = core::Incoming::Role;
      bool admin = message.sender_role == Role::admin ||
                   (message.sender_role == Role::unknown && group->group.creator == person.id);
      auto t = group_coach().answer(*group, person.id, admin, request, rng);
      if (t.schedule_changed) replan(*group, tx);
      to_group = std::move(t.to_group);
      if (reachable) to_sender = std::move(t.to_sender);
    }
    std::erase_if(to_group, [](const core::Reply& r) { return r.text.empty(); });
    std::erase_if(to_sender, [](const core::Reply& r) { return r.text.empty(); });
    tx.people.push_back(*group);
    if (!person_saved) tx.people.push_back(person);
    address_replies(*group, to_group, message.correlation_id, tx.outbox, to_sender.empty());
    address_replies(person, to_sender, message.correlation_id, tx.outbox);
    return true;
  }

  // A group's daily check-in fell due: posted with its buttons; the next one is planned.
  void fire_group_checkin(Person& group, const core::DueItem& item, core::TimePoint now, store::Transaction& tx,
                          std::vector<Fired>& fired) {
    fired.push_back({item, group.nudges, group.group});
    const date::time_zone* zone = coach::zone_of(group, settings.nudge_rules);
    core::DueItem next = item;
    next.due = schedule::next_daily(zone, item.slot, std::max(now, item.due));
    fired.back().next = next;
    tx.due.push_back(next);
    if (group.nudges.unreachable || coach::too_late(true, item.due, now, zone, settings.nudge_rules)) {
      metrics.add_counter("bounceback_group_checkins_total", {{"result", "skipped"}});
      return;
    }
    auto rng = rng_for(group, now);
    auto reply = group_coach().checkin(group, now, rng);
    tx.people.push_back(group);
    if (!reply) return;
    metrics.add_counter("bounceback_group_checkins_total", {{"result", "sent"}});
    address_replies(group, {*reply}, "", tx.outbox);
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
    Person* person = found.person ? found.person : &create(message.from, "");
    person->last_seen = message.at;
    person->nudges.unanswered = 0;  // any answer brings the usual rhythm back
    person->nudges.skipped_last = false;
    if (person->nudges.paused && person->nudges.unreachable) {  // blocked the bot, and now writes again
      person->nudges.paused = false;
      person->nudges.unreachable = false;
    }
    if (message.in_group()) {
      if (!receive_in_group(*person, message, tx)) {
        cache.undo(person->id);  // its last_seen and nudge changes were not stored
        return acknowledge(false);
      }
    } else if (!screen_first(*person, message, tx) && !share_choice(*person, message, tx)) {
      auto turn = decide_for(*person, tx, [&](dialog::DialogState& state, const dialog::DialogContext& context, dialog::ActionHandler* domain) {
        return coach.answer(*person, state, message, context, domain);
      });
      if (wants(turn, "forget_everything"))
        return forget(*person, turn, message.correlation_id, std::move(tx), std::move(ack));
      if (wants(turn, "export_data"))
        return export_data(*person, std::move(turn), message.correlation_id, std::move(tx), std::move(ack));
      address_replies(*person, turn.replies, message.correlation_id, tx.outbox);
    }
    commit(std::move(tx), /*deliver=*/true, [ack = std::move(ack)](store::CommitResult result) {
      if (ack) ack(result.ok);
    });
  }
};

Core::Core(asio::io_context& io, store::Store& store, const core::Clock& clock, core::Metrics& metrics,
           coach::Coach& coach, Settings settings)
    : impl_(std::make_shared<Impl>(io, store, clock, metrics, coach, std::move(settings))) {}

void Core::replace_safety(std::shared_ptr<const safety::SafetyPolicy> policy) {
  auto kit = std::make_shared<const Impl::SafetyKit>(std::move(policy));
  asio::post(impl_->strand, [impl = impl_, kit = std::move(kit)]() mutable { impl->safety = std::move(kit); });
}

void Core::replace_dialogs(std::shared_ptr<const dialog::DialogSet> dialogs) {
  asio::post(impl_->strand, [impl = impl_, dialogs = std::move(dialogs)]() mutable {
    impl->coach.replace_dialogs(std::move(dialogs));
  });
}

Core::~Core() = default;

void Core::attach(core::Connector& connector) { impl_->connectors[std::string(connector.name())] = &connector; }

void Core::web_hello(std::string token, std::function<void(core::WebHelloResult)> done) {
  asio::post(impl_->strand, [impl = impl_, token = std::move(token), done = std::move(done)]() mutable {
    impl->web_hello(std::move(token), std::move(done));
  });
}

void Core::receive(core::Incoming message, Acknowledge committed) {
  asio::post(impl_->strand, [impl = impl_, message = std::move(message), committed = std::move(committed)]() mutable {
    impl->receive(std::move(message), std::move(committed));
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
    core::Person* person = impl->cache.find(who).person;
    if (!person || person->nudges.paused) return;
    person->nudges.paused = true;  // no nudges into a chat that refuses them
    person->nudges.unreachable = true;
    store::Transaction tx;
    tx.people.push_back(*person);
    impl->commit(std::move(tx), false, nullptr);
  });
}

void Core::delivered(core::Address to, std::vector<std::int64_t> outbox_ids) {
  asio::post(impl_->strand, [impl = impl_, to = std::move(to), ids = std::move(outbox_ids)] {
    Person* person = impl->cache.find(to).person;
    if (!person) return;
    impl->work.mark_delivered(person->id, ids);
    if (impl->delivered_timer_armed) return;
    impl->delivered_timer_armed = true;
    impl->delivered_timer.expires_after(Impl::kDeliveredWait);
    impl->delivered_timer.async_wait(asio::bind_executor(impl->strand, [impl](boost::system::error_code) {
      impl->delivered_timer_armed = false;
      if (impl->work.marks_waiting()) impl->commit({}, false, nullptr);  // no commit took them along
    }));
  });
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
      if (impl->stale(m, now)) retired.delivered.emplace_back(m.id, m.person);
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
