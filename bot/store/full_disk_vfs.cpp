#include "bot/store/full_disk_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>

namespace bounceback::store {

namespace {

std::atomic<bool> g_full{false};
std::atomic<bool> g_installed{false};
sqlite3_vfs* g_real = nullptr;  // the file system underneath
sqlite3_vfs g_vfs;
sqlite3_io_methods g_methods;

// Our file object, with the real one's right behind it (SQLite allocates szOsFile bytes).
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int shim_close(sqlite3_file* f) { return real(f)->pMethods ? real(f)->pMethods->xClose(real(f)) : SQLITE_OK; }
int shim_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  return real(f)->pMethods->xRead(real(f), buf, amount, offset);
}
int shim_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  if (g_full.load(std::memory_order_relaxed)) {
    sqlite3_int64 size = 0;
    int rc = real(f)->pMethods->xFileSize(real(f), &size);
    if (rc != SQLITE_OK) return rc;
    if (offset + amount > size) return SQLITE_FULL;  // no block left to grow into
  }
  return real(f)->pMethods->xWrite(real(f), buf, amount, offset);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) { return real(f)->pMethods->xTruncate(real(f), size); }
int shim_sync(sqlite3_file* f, int flags) { return real(f)->pMethods->xSync(real(f), flags); }
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) { return real(f)->pMethods->xFileSize(real(f), size); }
int shim_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int shim_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int shim_check_reserved(sqlite3_file* f, int* out) { return real(f)->pMethods->xCheckReservedLock(real(f), out); }
int shim_file_control(sqlite3_file* f, int op, void* arg) { return real(f)->pMethods->xFileControl(real(f), op, arg); }
int shim_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int shim_device_characteristics(sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); }
int shim_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int shim_shm_unmap(sqlite3_file* f, int delete_flag) { return real(f)->pMethods->xShmUnmap(real(f), delete_flag); }
int shim_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
}

int shim_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(f);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set: set it only for a file that opened.
  shim->base.pMethods = shim->real->pMethods ? &g_methods : nullptr;
  return rc;
}

}  // namespace

void FullDiskVfs::install() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real;
    g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
    g_vfs.zName = "bounceback-full-disk";
    g_vfs.pNext = nullptr;
    g_vfs.xOpen = shim_open;
    // Every other call of the file system (delete, access, time, randomness) is the real
    // one's, with its own pAppData: g_vfs is a copy of it.
    std::memset(&g_methods, 0, sizeof g_methods);
    g_methods.iVersion = 3;
    g_methods.xClose = shim_close;
    g_methods.xRead = shim_read;
    g_methods.xWrite = shim_write;
    g_methods.xTruncate = shim_truncate;
    g_methods.xSync = shim_sync;
    g_methods.xFileSize = shim_file_size;
    g_methods.xLock = shim_lock;
    g_methods.xUnlock = shim_unlock;
    g_methods.xCheckReservedLock = shim_check_reserved;
    g_methods.xFileControl = shim_file_control;
    g_methods.xSectorSize = shim_sector_size;
    g_methods.xDeviceCharacteristics = shim_device_characteristics;
    g_methods.xShmMap = shim_shm_map;
    g_methods.xShmLock = shim_shm_lock;
    g_methods.xShmBarrier = shim_shm_barrier;
    g_methods.xShmUnmap = shim_shm_unmap;
    g_methods.xFetch = shim_fetch;
    g_methods.xUnfetch = shim_unfetch;
    sqlite3_vfs_register(&g_vfs, 1);
    g_installed = true;
  });
}

bool FullDiskVfs::installed() { return g_installed.load(); }
void FullDiskVfs::fill() { g_full = true; }
void FullDiskVfs::empty() { g_full = false; }
bool FullDiskVfs::full() { return g_full.load(); }

}  // namespace bounceback::store
