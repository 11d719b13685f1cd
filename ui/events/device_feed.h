#pragma once
// The live-update feed behind GET /api/events: while at least one stream is open, one thread polls
// Redis every interval for each device's saga version and last-seen time, reads the devices that
// changed, and appends one numbered event per change to a short backlog that every stream reads
// from. N open pages cost one poll, not N.
//
// Events (the SSE event name and its data):
//   devices  the whole list, newest first, as GET /api/devices gives it (a subscriber's first
//            event, and again when it fell too far behind or the index order changed)
//   device   one device object that is new or changed
//   removed  {"id": "..."}: a device left the index
//   problem  {"error": "..."}: Redis cannot be asked; the list may be stale until the next event
//
// Thread-safety: all public methods may be called from any thread. Lifetime: Stop() (or the
// destructor) before the reader goes; subscriptions must end before the feed.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gps/core/clock.h"
#include "gps/core/result.h"
#include "ui/store/device_reader.h"

namespace gps::ui {

struct FeedEvent {
  std::uint64_t seq = 0;
  std::string name;
  std::string data;  // one line of JSON
};

class DeviceFeed {
 public:
  DeviceFeed(DeviceReader& reader, Millis interval_ms, std::size_t backlog = 2048);
  ~DeviceFeed();
  DeviceFeed(const DeviceFeed&) = delete;
  DeviceFeed& operator=(const DeviceFeed&) = delete;

  void Start();
  void Stop();

  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    // What to send next, waiting up to `wait` for something: the snapshot first, then changes.
    // Empty when nothing happened in time.
    std::vector<FeedEvent> Next(std::chrono::milliseconds wait);

   private:
    friend class DeviceFeed;
    explicit Subscription(DeviceFeed* feed) : feed_(feed) {}
    DeviceFeed* feed_;
    std::uint64_t cursor_ = 0;
    bool snapshot_sent_ = false;
  };

  // A new subscription once the feed holds a current list (at most ready_wait, counting the first
  // poll); Unavailable with Redis' problem otherwise.
  Result<std::unique_ptr<Subscription>> Subscribe(std::chrono::milliseconds ready_wait);

  int subscribers() const;

 private:
  void Loop();
  // One poll; appends events. Called without the lock held.
  void Poll();
  void Append(std::string name, std::string data);  // REQUIRES: mutex_ held
  std::string SnapshotJson() const;                 // REQUIRES: mutex_ held

  DeviceReader& reader_;
  const Millis interval_ms_;
  const std::size_t backlog_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // a poll ended, an event came, a subscriber came, stopping
  bool stop_ = false;
  int subscribers_ = 0;
  bool current_ = false;  // the cache reflects a poll made while someone was subscribed
  std::string problem_;   // the last poll's failure; empty when it worked
  std::uint64_t next_seq_ = 1;
  std::deque<FeedEvent> events_;
  std::map<std::string, DeviceSignature> signatures_;
  std::map<std::string, std::string> json_;  // device id -> device object
  std::vector<std::string> index_;           // the last poll's index order, newest first
  std::vector<std::string> order_;           // the same, devices with a readable record only
  std::thread thread_;
};

}  // namespace gps::ui
