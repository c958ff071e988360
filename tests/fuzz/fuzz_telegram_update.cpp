// libFuzzer target: any bytes as a getUpdates answer, a webhook body and a Bot API answer.
// Every one must be read or refused, never throw or crash (a field of the wrong type once
// stopped the daemon at every start).
#include <cstddef>
#include <cstdint>
#include <string>

#include "connectors/telegram/telegram_update.hpp"

using namespace bounceback::telegram;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  std::string why;
  if (auto updates = parse_updates(body, &why))
    for (const auto& u : *updates) (void)u.in_group();
  (void)parse_webhook_update(body);
  (void)parse_answer(200, body);
  (void)parse_answer(429, body);
  (void)string_field(body, "username");
  return 0;
}
