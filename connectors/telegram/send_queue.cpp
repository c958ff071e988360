#include "connectors/telegram/send_queue.hpp"

#include <algorithm>

namespace bounceback::telegram {

using namespace std::chrono;
using core::TimePoint;

void SendQueue::push(Item item) { chats_[item.chat_id].items.push_back(std::move(item)); }

std::optional<SendQueue::Item> SendQueue::pop(TimePoint now, TimePoint* wake) {
  *wake = TimePoint::max();
  while (!last_second_.empty() && last_second_.front() <= now - seconds(1)) last_second_.pop_front();
  if (static_cast<int>(last_second_.size()) >= kPerSecondOverall) {
    *wake = last_second_.front() + seconds(1);
    return std::nullopt;
  }
  // The chat whose next message may leave first; between equals, the oldest message.
  Chat* best = nullptr;
  TimePoint best_ready = TimePoint::max();
  for (auto it = chats_.begin(); it != chats_.end();) {
    Chat& chat = it->second;
    while (!chat.last_minute.empty() && chat.last_minute.front() <= now - minutes(1)) chat.last_minute.pop_front();
    if (chat.items.empty()) {  // idle: forget it once its limits no longer matter
      if (chat.not_before <= now && chat.last_minute.empty()) it = chats_.erase(it);
      else ++it;
      continue;
    }
    ++it;
    TimePoint ready = chat.not_before;
    if (chat.items.front().group && static_cast<int>(chat.last_minute.size()) >= kPerMinuteInGroup)
      ready = std::max(ready, chat.last_minute.front() + minutes(1));
    if (!best || ready < best_ready ||
        (ready == best_ready && chat.items.front().message.id < best->items.front().message.id)) {
      best = &chat;
      best_ready = ready;
    }
  }
  if (!best) return std::nullopt;
  if (best_ready > now) {
    *wake = best_ready;
    return std::nullopt;
  }
  Item item = std::move(best->items.front());
  best->items.pop_front();
  best->not_before = now + seconds(1);
  if (item.group) best->last_minute.push_back(now);
  last_second_.push_back(now);
  return item;
}

void SendQueue::hold(Item item, TimePoint at) {
  Chat& chat = chats_[item.chat_id];
  chat.not_before = std::max(chat.not_before, at);
  chat.items.push_front(std::move(item));
}

void SendQueue::drop_chat(std::int64_t chat_id) { chats_.erase(chat_id); }

std::size_t SendQueue::size() const {
  std::size_t n = 0;
  for (const auto& [id, chat] : chats_) n += chat.items.size();
  return n;
}

}  // namespace bounceback::telegram
