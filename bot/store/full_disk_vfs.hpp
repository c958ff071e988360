#pragma once

namespace bounceback::store {

// A disk that fills on command, for tests of what a full disk does to the daemon (the
// write-ahead log growing into the last free blocks, then space coming back). It wraps
// SQLite's default file system and, made the default itself, passes every call through
// unchanged until `fill()`: from then on a write that would grow a file fails with
// SQLITE_FULL, as on a real full disk, while rewriting blocks a file already has still
// works. `empty()` gives the space back. Installed only with the manual test clock.
class FullDiskVfs {
 public:
  // Registers the shim as SQLite's default file system, once; later calls do nothing.
  // Call before the first connection opens.
  static void install();
  static bool installed();
  static void fill();
  static void empty();
  static bool full();
};

}  // namespace bounceback::store
