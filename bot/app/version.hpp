#pragma once

namespace bounceback::app {

inline constexpr const char* kVersion = BOUNCEBACK_VERSION;

}  // namespace bounceback::app
