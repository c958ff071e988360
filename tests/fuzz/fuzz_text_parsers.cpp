// libFuzzer target: any bytes as what a person types where bounceback reads a time, a
// command, a share button or an ISO-8601 time (the test clock).
#include <cstddef>
#include <cstdint>
#include <string>

#include "bot/coach/chat_command.hpp"
#include "bot/coach/group_coach.hpp"
#include "bot/core/iso8601.hpp"
#include "bot/core/minute_of_day.hpp"
#include "bot/core/text_parts.hpp"
#include "bot/dialog/interpreter.hpp"

using namespace bounceback;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)core::parse_iso8601(text);
  (void)core::parse_minute(text);
  (void)coach::parse_chat_command(text);
  (void)coach::parse_share_choice(text);
  for (const char* v : {"time", "number", "timezone", "non_empty"}) (void)dialog::validate_answer(v, text);
  (void)core::shorten(text, 7, "…");
  (void)core::split_text(text, 64);
  core::Incoming in;
  in.text = text;
  in.group = {"websocket", "#room"};
  (void)coach::parse_group_request(in);
  return 0;
}
