#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace bounceback::engine {

// Store reads off the core's strand: a cache miss no longer holds every other person's
// message while the disk answers. One thread, reads in the order asked, each answered on
// the strand. Without a thread (unit tests on the fake store), each read runs at once.
class StoreReader {
 public:
  using Post = std::function<void(std::function<void()>)>;  // onto the core's strand

  StoreReader(Post post, bool own_thread);
  ~StoreReader();  // the reads already asked for are done first

  // `read` runs on the reader's thread, then `then` on the strand.
  void read(std::function<void()> read, std::function<void()> then);

 private:
  void loop();

  Post post_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::function<void()>, std::function<void()>>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bounceback::engine
