#include "tests/fakes/sync_counting_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>

namespace bounceback::testing {
namespace {

// One shim at a time: the file callbacks reach it through here.
SyncCountingVfs* g_shim = nullptr;
sqlite3_vfs* g_real = nullptr;

struct ShimFile {
  sqlite3_file base;  // first: SQLite sees a ShimFile as a sqlite3_file
  sqlite3_file* real;
  bool database;
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }
bool is_database(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->database; }

int shim_close(sqlite3_file* f) {
  sqlite3_file* real = real_of(f);
  int rc = real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
  std::free(real);
  return rc;
}
int shim_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 at) { return real_of(f)->pMethods->xRead(real_of(f), buf, n, at); }
int shim_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 at) {
  if (is_database(f) && g_shim) g_shim->on_database_write();
  return real_of(f)->pMethods->xWrite(real_of(f), buf, n, at);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int shim_sync(sqlite3_file* f, int flags) {
  if (is_database(f) && g_shim) g_shim->on_database_sync();
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
  shim->real = static_cast<sqlite3_file*>(std::calloc(1, static_cast<std::size_t>(g_real->szOsFile)));
  if (!shim->real) return SQLITE_NOMEM;
  shim->database = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (shim->real->pMethods) shim->real->pMethods->xClose(shim->real);
    std::free(shim->real);
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
  shim->base.pMethods = &methods[std::clamp(shim->real->pMethods->iVersion, 1, 3)];
  return SQLITE_OK;
}
int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_real->xDelete(g_real, name, sync_dir); }
int shim_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int shim_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) { return g_real->xFullPathname(g_real, name, n, out); }
void* shim_dl_open(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void shim_dl_error(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*shim_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) { return g_real->xDlSym(g_real, handle, symbol); }
void shim_dl_close(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int shim_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int shim_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int shim_current_time(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int shim_get_last_error(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int shim_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) { return g_real->xCurrentTimeInt64(g_real, out); }

}  // namespace

SyncCountingVfs::SyncCountingVfs() : real_(sqlite3_vfs_find(nullptr)), shim_(new sqlite3_vfs{}) {
  if (g_shim) throw std::logic_error("one SyncCountingVfs at a time");
  if (!real_) throw std::runtime_error("no default SQLite VFS");
  g_shim = this;
  g_real = real_;
  sqlite3_vfs& v = *shim_;
  v.iVersion = 2;
  v.szOsFile = static_cast<int>(sizeof(ShimFile));
  v.mxPathname = real_->mxPathname;
  v.zName = "bounceback-sync-counting";
  v.xOpen = shim_open;
  v.xDelete = shim_delete;
  v.xAccess = shim_access;
  v.xFullPathname = shim_full_pathname;
  v.xDlOpen = shim_dl_open;
  v.xDlError = shim_dl_error;
  v.xDlSym = shim_dl_sym;
  v.xDlClose = shim_dl_close;
  v.xRandomness = shim_randomness;
  v.xSleep = shim_sleep;
  v.xCurrentTime = shim_current_time;
  v.xGetLastError = shim_get_last_error;
  v.xCurrentTimeInt64 = shim_current_time_int64;
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

void SyncCountingVfs::on_database_sync() {
  std::lock_guard lock(mutex_);
  ++syncs_;
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
