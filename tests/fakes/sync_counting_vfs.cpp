#include "tests/fakes/sync_counting_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>

namespace bounceback::testing {
namespace {

// One shim at a time: the file callbacks reach it through here.
SyncCountingVfs* g_shim = nullptr;
sqlite3_vfs* g_real = nullptr;

// SQLite hands the shim a block of the VFS's szOsFile bytes: this header, then the real
// VFS's file in the rest of it (ShimFile's size is a multiple of its pointer alignment).
struct ShimFile {
  sqlite3_file base;  // first: SQLite sees a ShimFile as a sqlite3_file
  bool database;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real(); }
bool is_database(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->database; }

int shim_close(sqlite3_file* f) { return real_of(f)->pMethods->xClose(real_of(f)); }
int shim_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 at) { return real_of(f)->pMethods->xRead(real_of(f), buf, n, at); }
int shim_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 at) {
  if (is_database(f) && g_shim) g_shim->on_database_write();
  return real_of(f)->pMethods->xWrite(real_of(f), buf, n, at);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int shim_sync(sqlite3_file* f, int flags) {
  if (is_database(f) && g_shim && !g_shim->on_database_sync()) return SQLITE_IOERR_FSYNC;
  return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int shim_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int shim_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int shim_check_reserved(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
// SQLITE_FCNTL_FILE_POINTER never comes here: SQLite answers it with the pager's file,
// the shim, so a caller syncing that file directly is counted too.
int shim_file_control(sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int shim_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int shim_device_characteristics(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int shim_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) { return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags); }
void shim_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int shim_shm_unmap(sqlite3_file* f, int remove) { return real_of(f)->pMethods->xShmUnmap(real_of(f), remove); }
int shim_fetch(sqlite3_file* f, sqlite3_int64 at, int n, void** out) { return real_of(f)->pMethods->xFetch(real_of(f), at, n, out); }
int shim_unfetch(sqlite3_file* f, sqlite3_int64 at, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), at, p); }

const sqlite3_io_methods kShimMethods = {
    3,           shim_close,       shim_read,          shim_write,        shim_truncate,
    shim_sync,   shim_file_size,   shim_lock,          shim_unlock,       shim_check_reserved,
    shim_file_control, shim_sector_size, shim_device_characteristics, shim_shm_map, shim_shm_lock,
    shim_shm_barrier, shim_shm_unmap, shim_fetch,     shim_unfetch};

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  shim->base.pMethods = nullptr;  // SQLite calls no method of a file that failed to open
  shim->database = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  int rc = g_real->xOpen(g_real, name, shim->real(), flags, out_flags);
  if (rc != SQLITE_OK) {
    if (shim->real()->pMethods) shim->real()->pMethods->xClose(shim->real());
    return rc;
  }
  // The real file's version says which methods exist (2: shared memory, 3: memory-mapped reads).
  static const auto methods = [] {
    std::array<sqlite3_io_methods, 4> by_version{};
    for (int v = 1; v <= 3; ++v) {
      by_version[v] = kShimMethods;
      by_version[v].iVersion = v;
    }
    return by_version;
  }();
  shim->base.pMethods = &methods[std::clamp(shim->real()->pMethods->iVersion, 1, 3)];
  return SQLITE_OK;
}

}  // namespace

SyncCountingVfs::SyncCountingVfs() : real_(sqlite3_vfs_find(nullptr)), shim_(new sqlite3_vfs{}) {
  if (g_shim) throw std::logic_error("one SyncCountingVfs at a time");
  if (!real_) throw std::runtime_error("no default SQLite VFS");
  g_shim = this;
  g_real = real_;
  // The real VFS's own functions serve the shim too (none but xOpen looks at the VFS it is
  // called with beyond its path length); only opening a file is wrapped.
  *shim_ = *real_;
  shim_->pNext = nullptr;
  shim_->zName = "bounceback-sync-counting";
  shim_->szOsFile = static_cast<int>(sizeof(ShimFile)) + real_->szOsFile;
  shim_->xOpen = shim_open;
  sqlite3_vfs_register(shim_, /*makeDflt=*/1);
}

SyncCountingVfs::~SyncCountingVfs() {
  sqlite3_vfs_register(real_, /*makeDflt=*/1);
  sqlite3_vfs_unregister(shim_);
  delete shim_;
  g_shim = nullptr;
  g_real = nullptr;
}

int SyncCountingVfs::database_syncs() const {
  std::lock_guard lock(mutex_);
  return syncs_;
}

void SyncCountingVfs::hold_next_write() {
  std::lock_guard lock(mutex_);
  hold_ = true;
}

bool SyncCountingVfs::wait_for_held_write(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [this] { return holding_; });
}

void SyncCountingVfs::release_write() {
  {
    std::lock_guard lock(mutex_);
    hold_ = false;
  }
  changed_.notify_all();
}

void SyncCountingVfs::fail_database_syncs(bool fail) {
  std::lock_guard lock(mutex_);
  fail_syncs_ = fail;
}

bool SyncCountingVfs::on_database_sync() {
  std::lock_guard lock(mutex_);
  ++syncs_;
  return !fail_syncs_;
}

void SyncCountingVfs::on_database_write() {
  std::unique_lock lock(mutex_);
  if (!hold_ || holding_) return;  // one write is held; the rest of that pass follows it
  holding_ = true;
  changed_.notify_all();
  changed_.wait(lock, [this] { return !hold_; });
  holding_ = false;
}

}  // namespace bounceback::testing
