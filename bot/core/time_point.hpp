#pragma once
#include <chrono>

namespace bounceback::core {

// All domain time is UTC wall-clock time in milliseconds, read from a Clock.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;

}  // namespace bounceback::core
