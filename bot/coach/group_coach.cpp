#include "bot/coach/group_coach.hpp"

#include <algorithm>
#include <sstream>

#include "bot/coach/chat_command.hpp"
#include "bot/core/minute_of_day.hpp"
#include "bot/dialog/dialog_state.hpp"
#include "bot/dialog/interpreter.hpp"

namespace bounceback::coach {

namespace {

constexpr const char* kTree = "groups";
constexpr const char* kAnswerPrefix = "group.checkin.";
constexpr std::size_t kWinsShown = 10;

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::optional<long long> number(const std::string& s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(s);
}

}  // namespace

GroupRequest parse_group_request(const core::Incoming& message) {
  GroupRequest r;
  if (message.is_choice()) {
    const std::string& id = message.choice_id;
    if (id.rfind(kAnswerPrefix, 0) == 0) {
      std::string answer = id.substr(std::string(kAnswerPrefix).size());
      if (answer == "good" || answer == "ok" || answer == "hard") {
        r.kind = GroupRequest::Kind::answer;
        r.answer = answer;
      }
    }
    return r;
  }
  if (message.text.find_first_not_of(" \t\r\n") == std::string::npos) return r;  // joined: nothing to answer
  auto command = parse_chat_command(message.text);
  if (!command) {  // a question to the bot in the group: what it does here
    r.kind = GroupRequest::Kind::help;
    return r;
  }
  if (command->name == "checkin") {
    auto args = words(command->args);
    if (args.empty()) r.kind = GroupRequest::Kind::checkin_show;
    else if (args.size() == 1 && args[0] == "off") r.kind = GroupRequest::Kind::checkin_off;
    else if (auto minute = core::parse_minute(args[0]); minute && args.size() <= 2) {
      r.kind = GroupRequest::Kind::checkin_set;
      r.minute = *minute;
      if (args.size() == 2) {
        auto zone = dialog::validate_answer("timezone", args[1]);
        if (zone) r.zone = *zone;
        else r.kind = GroupRequest::Kind::checkin_invalid;
      }
    } else {
      r.kind = GroupRequest::Kind::checkin_invalid;
    }
  } else if (command->name == "wins") {
    r.kind = GroupRequest::Kind::wins;
  } else {
    r.kind = GroupRequest::Kind::help;  // /help, /start, /menu, and whatever else is asked here
  }
  return r;
}

std::optional<ShareChoice> parse_share_choice(const std::string& id) {
  if (id == "share.keep") return ShareChoice{true, false, 0, 0, 0};
  ShareChoice c;
  std::string rest;
  if (id.rfind("share_step.", 0) == 0) {
    c.with_step = true;
    rest = id.substr(11);
  } else if (id.rfind("share.", 0) == 0) {
    rest = id.substr(6);
  } else {
    return std::nullopt;
  }
  std::vector<std::string> parts;
  std::istringstream in(rest);
  for (std::string p; std::getline(in, p, '.');) parts.push_back(p);
  if (parts.size() != 3) return std::nullopt;
  auto group = number(parts[0]), goal = number(parts[1]), step = number(parts[2]);
  if (!group || !goal || !step || *step < 1 || *goal > 1'000'000 || *step > 1'000'000) return std::nullopt;
  c.group = *group;
  c.goal_index = static_cast<int>(*goal);
  c.step_number = static_cast<int>(*step);
  return c;
}

dialog::DialogContext GroupCoach::context_for(const core::Person& group) const {
  dialog::DialogContext c;
  c["group"] = group.display_name.empty() ? "this group" : group.display_name;
  if (!group.nudges.times.empty()) c["checkin_time"] = core::format_minute(group.nudges.times.front());
  c["checkin_zone"] = group.timezone.empty() ? "UTC" : group.timezone;
  const auto& g = group.group;
  c["tally"] = std::to_string(g.good) + " good, " + std::to_string(g.ok) + " okay, " + std::to_string(g.hard) + " hard";
  return c;
}

std::optional<core::Reply> GroupCoach::say(core::Person& group, const std::string& node,
                                           const dialog::DialogContext& context, dialog::VariantRng& rng) const {
  // The group's own state remembers its recent variants, so a daily check-in varies.
  dialog::DialogState state = dialog::DialogState::from_json(group.dialog_state);
  auto reply = dialog::Interpreter(dialogs_).say(state, kTree, node, context, rng);
  group.dialog_state = state.to_json();
  return reply;
}

std::string GroupCoach::label(const std::string& buttons_node, const std::string& id, const std::string& fallback,
                              const std::string& group_name) const {
  std::string text = fallback;
  if (const dialog::Node* buttons = dialogs_.node({kTree, buttons_node}))
    for (const auto& c : buttons->choices)
      if (c.id == id) text = c.label;
  return replace_all(text, "{{group}}", group_name);
}

GroupCoach::Turn GroupCoach::answer(core::Person& group, core::PersonId sender, bool admin,
                                    const GroupRequest& request, dialog::VariantRng& rng) const {
  using Kind = GroupRequest::Kind;
  Turn t;
  auto to_group = [&](const std::string& node, const dialog::DialogContext& context) {
    if (auto r = say(group, node, context, rng)) t.to_group.push_back(std::move(*r));
    t.group_changed = true;  // its recent variants
  };
  auto context = context_for(group);
  core::GroupInfo& g = group.group;
  switch (request.kind) {
    case Kind::none:
      return t;
    case Kind::help:
      to_group("help", context);
      return t;
    case Kind::checkin_show:
      to_group(group.nudges.times.empty() ? "checkin_none" : "checkin_show", context);
      if (!group.nudges.times.empty() && g.good + g.ok + g.hard > 0)
        if (auto tally = say(group, "tally", context, rng)) t.to_group.back().text += "\n" + tally->text;
      return t;
    case Kind::checkin_invalid:
      to_group("checkin_invalid", context);
      return t;
    case Kind::checkin_set:
    case Kind::checkin_off:
      if (!admin) {
        to_group("admin_only", context);
        return t;
      }
      if (request.kind == Kind::checkin_off) {
        group.nudges.times.clear();
        to_group("checkin_off", context);
      } else {
        if (request.zone.empty() && group.timezone.empty()) {
          to_group("checkin_invalid", context);  // a zone is needed the first time
          return t;
        }
        if (!request.zone.empty()) group.timezone = request.zone;
        group.nudges.times = {static_cast<std::uint16_t>(request.minute)};
        to_group("checkin_set", context_for(group));
      }
      t.schedule_changed = true;
      return t;
    case Kind::answer: {
      auto& answered = g.answered;
      if (g.checkin_posted == core::TimePoint{}) return t;  // no check-in was posted yet
      if (std::find(answered.begin(), answered.end(), sender) != answered.end()) {
        t.to_sender.push_back(private_word("counted_already", group.display_name, rng));
        return t;
      }
      answered.push_back(sender);
      if (request.answer == "good") ++g.good;
      else if (request.answer == "ok") ++g.ok;
      else ++g.hard;
      t.group_changed = true;
      t.to_sender.push_back(private_word("counted", group.display_name, rng));
      return t;
    }
    case Kind::wins: {
      if (g.wins.empty()) {
        to_group("wins_none", context);
        return t;
      }
      std::string list;
      std::vector<core::PersonId> named;
      std::size_t shown = 0;
      for (auto it = g.wins.rbegin(); it != g.wins.rend() && shown < kWinsShown; ++it, ++shown) {
        std::string line = "• " + it->name + " completed a step";
        if (!it->step.empty()) line += ": \"" + it->step + "\"";
        list += (list.empty() ? "" : "\n") + line;
        named.push_back(it->person);
      }
      context["wins_list"] = list;
      to_group("wins_list", context);
      if (!t.to_group.empty()) t.to_group.back().about = std::move(named);
      return t;
    }
  }
  return t;
}

std::optional<core::Reply> GroupCoach::checkin(core::Person& group, core::TimePoint now, dialog::VariantRng& rng) const {
  auto context = context_for(group);
  auto reply = say(group, "checkin", context, rng);
  if (!reply) return std::nullopt;
  core::GroupInfo& g = group.group;
  if (g.good + g.ok + g.hard > 0)
    if (auto tally = say(group, "tally", context, rng)) reply->text = tally->text + "\n\n" + reply->text;
  reply->kind = core::MessageKind::checkin;
  for (const char* id : {"good", "ok", "hard"}) {
    std::string fallback = std::string(id) == "good" ? "A good day" : std::string(id) == "ok" ? "An okay day" : "A hard day";
    reply->choices.push_back({std::string(kAnswerPrefix) + id, label("checkin_buttons", id, fallback, "")});
  }
  g.checkin_posted = now;
  g.good = g.ok = g.hard = 0;
  g.answered.clear();
  return reply;
}

std::optional<core::Reply> GroupCoach::share_offer(const std::vector<const core::Person*>& groups, int goal_index,
                                                   int step_number, dialog::VariantRng& rng) const {
  if (groups.empty()) return std::nullopt;
  dialog::DialogState scratch;
  dialog::DialogContext context = {{"group", groups.front()->display_name}};
  auto reply = dialog::Interpreter(dialogs_).say(scratch, kTree, groups.size() == 1 ? "share_offer" : "share_offer_many",
                                                 context, rng);
  if (!reply) return std::nullopt;
  reply->kind = core::MessageKind::reply;
  std::string step = "." + std::to_string(goal_index) + "." + std::to_string(step_number);
  if (groups.size() == 1) {
    std::string id = std::to_string(groups.front()->id);
    reply->choices.push_back({"share." + id + step, label("share_buttons", "share", "Share 🎉", "")});
    reply->choices.push_back({"share_step." + id + step, label("share_buttons", "share_step", "Share with the step", "")});
  } else {
    for (const auto* g : groups) {
      std::string id = std::to_string(g->id);
      reply->choices.push_back({"share." + id + step, label("share_buttons", "share_in", "Share in {{group}}", g->display_name)});
      reply->choices.push_back(
          {"share_step." + id + step, label("share_buttons", "share_step_in", "{{group}}, with the step", g->display_name)});
    }
  }
  reply->choices.push_back({"share.keep", label("share_buttons", "keep", "Keep it to myself", "")});
  return reply;
}

GroupCoach::Turn GroupCoach::share(core::Person& group, core::PersonId person, const std::string& name,
                                   const std::string& step_text, const std::string& key, core::TimePoint now,
                                   dialog::VariantRng& rng) const {
  Turn t;
  if (group.group.shared(person, key)) {
    t.to_sender.push_back(private_word("share_again", group.display_name, rng));
    return t;
  }
  auto context = context_for(group);
  context["winner"] = name;
  context["step_text"] = step_text;
  auto post = say(group, step_text.empty() ? "win" : "win_with_step", context, rng);
  if (!post) return t;
  post->kind = core::MessageKind::celebration;
  post->about = {person};
  t.to_group.push_back(std::move(*post));
  group.group.add_win({person, name, step_text, now, key});
  t.group_changed = true;
  t.to_sender.push_back(private_word("shared", group.display_name, rng));
  return t;
}

core::Reply GroupCoach::private_word(const std::string& node, const std::string& group_name, dialog::VariantRng& rng) const {
  dialog::DialogState scratch;
  auto reply = dialog::Interpreter(dialogs_).say(scratch, kTree, node, {{"group", group_name}}, rng);
  if (!reply) return {core::MessageKind::reply, "", {}};
  reply->kind = core::MessageKind::reply;
  return *reply;
}

}  // namespace bounceback::coach
