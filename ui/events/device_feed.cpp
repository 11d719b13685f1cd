#include "ui/events/device_feed.h"

#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"
#include "ui/api/device_json.h"
#include "ui/events/feed_diff.h"

namespace gps::ui {

namespace {

std::string ErrorJson(std::string_view message) {
  json::Writer w;
  w.BeginObject().Field("error", message).EndObject();
  return w.Take();
}

}  // namespace

DeviceFeed::DeviceFeed(DeviceReader& reader, Millis interval_ms, std::size_t backlog)
    : reader_(reader), interval_ms_(interval_ms), backlog_(backlog) {}

DeviceFeed::~DeviceFeed() { Stop(); }

void DeviceFeed::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void DeviceFeed::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

int DeviceFeed::subscribers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return subscribers_;
}

void DeviceFeed::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    if (subscribers_ == 0) {
      // Nobody listens: no polling, and the list goes stale until somebody does.
      current_ = false;
      changed_.wait(lock, [&] { return stop_ || subscribers_ > 0; });
      continue;
    }
    lock.unlock();
    Poll();
    lock.lock();
    changed_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [&] { return stop_; });
  }
}

void DeviceFeed::Append(std::string name, std::string data) {
  events_.push_back({next_seq_++, std::move(name), std::move(data)});
  while (events_.size() > backlog_) {
    events_.pop_front();
  }
}

std::string DeviceFeed::SnapshotJson() const {
  std::string out = "[";
  for (const std::string& id : order_) {
    auto it = json_.find(id);
    if (it != json_.end()) {
      out += (out.size() > 1 ? "," : "") + it->second;
    }
  }
  return out + "]";
}

void DeviceFeed::Poll() {
  auto report = [&](const Status& st) {
    metrics::Inc("ui.feed_poll_failures");
    std::lock_guard<std::mutex> lock(mutex_);
    if (problem_ != st.message()) {
      log::Warn("live-update feed cannot read redis", {{"err", st.ToString()}});
      problem_ = st.message();
      Append("problem", ErrorJson(problem_));
      changed_.notify_all();
    }
  };
  Result<std::vector<DeviceSignature>> now = reader_.Signatures();
  if (!now.ok()) {
    report(now.status());
    return;
  }
  FeedDiff diff;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    diff = DiffSignatures(signatures_, index_, *now);
  }
  std::vector<DeviceView> views;
  if (!diff.changed.empty()) {
    Result<std::vector<DeviceView>> read = reader_.GetMany(diff.changed);
    if (!read.ok()) {
      report(read.status());
      return;
    }
    views = std::move(read).value();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  bool recovered = !problem_.empty();
  problem_.clear();
  bool was_current = current_;
  current_ = true;
  for (const std::string& id : diff.removed) {
    signatures_.erase(id);
    if (json_.erase(id) > 0 && was_current) {
      json::Writer w;
      w.BeginObject().Field("id", id).EndObject();
      Append("removed", w.Take());
    }
  }
  // An unreadable record keeps its new signature: it is read again when it changes, not on
  // every poll.
  for (const DeviceSignature& s : *now) {
    signatures_[s.id] = s;
  }
  std::vector<std::string> changed_json;
  for (const DeviceView& v : views) {
    std::string text = DeviceJson(v);
    json_[v.saga.device_id] = text;
    changed_json.push_back(std::move(text));
  }
  index_.clear();
  order_.clear();
  for (const DeviceSignature& s : *now) {
    index_.push_back(s.id);
    if (json_.count(s.id) > 0) {
      order_.push_back(s.id);
    }
  }
  if (!was_current) {
    // Subscribers so far waited for this poll and start from its snapshot.
  } else if (recovered || diff.order_changed) {
    Append("devices", SnapshotJson());
  } else {
    for (std::string& text : changed_json) {
      Append("device", std::move(text));
    }
  }
  changed_.notify_all();
}

Result<std::unique_ptr<DeviceFeed::Subscription>> DeviceFeed::Subscribe(
    std::chrono::milliseconds ready_wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  ++subscribers_;
  changed_.notify_all();
  if (!changed_.wait_for(lock, ready_wait, [&] { return current_ || stop_; }) || stop_) {
    --subscribers_;
    return Status::Unavailable(problem_.empty() ? "the device list is not read yet"
                                                : "cannot read the device list: " + problem_);
  }
  return std::unique_ptr<Subscription>(new Subscription(this));
}

DeviceFeed::Subscription::~Subscription() {
  std::lock_guard<std::mutex> lock(feed_->mutex_);
  --feed_->subscribers_;
}

std::vector<FeedEvent> DeviceFeed::Subscription::Next(std::chrono::milliseconds wait) {
  DeviceFeed& f = *feed_;
  std::unique_lock<std::mutex> lock(f.mutex_);
  auto snapshot = [&] {
    cursor_ = f.next_seq_ - 1;
    std::vector<FeedEvent> out = {{cursor_, "devices", f.SnapshotJson()}};
    if (!f.problem_.empty()) {
      out.push_back({cursor_, "problem", ErrorJson(f.problem_)});
    }
    return out;
  };
  if (!snapshot_sent_) {
    snapshot_sent_ = true;
    return snapshot();
  }
  f.changed_.wait_for(lock, wait, [&] { return f.stop_ || f.next_seq_ - 1 > cursor_; });
  if (f.next_seq_ - 1 <= cursor_) {
    return {};
  }
  if (f.events_.empty() || f.events_.front().seq > cursor_ + 1) {
    // The backlog moved past what this stream has sent: start it over from the whole list.
    metrics::Inc("ui.feed_subscriber_resynced");
    return snapshot();
  }
  std::vector<FeedEvent> out;
  for (const FeedEvent& e : f.events_) {
    if (e.seq > cursor_) {
      out.push_back(e);
    }
  }
  cursor_ = out.back().seq;
  return out;
}

}  // namespace gps::ui
