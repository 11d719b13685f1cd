#include "ui/store/device_record.h"

#include <charconv>

#include "gps/protocol/names.h"

namespace gps::ui {

namespace {

std::optional<std::int64_t> ParseDecimal(std::string_view text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<Instant> ParseLastSeen(const std::optional<std::string>& text) {
  if (!text) {
    return std::nullopt;
  }
  std::optional<std::int64_t> ms = ParseDecimal(*text);
  if (!ms || *ms <= 0) {
    return std::nullopt;
  }
  return Instant{*ms};
}

Result<std::optional<DeviceView>> DecodeDeviceRecord(const RawDeviceRecord& raw) {
  // Ids come from Redis, so they are data too; keep a bad one from flooding a message.
  const std::string who = "device " + raw.device_id.substr(0, 64);
  if (!protocol::IsDeviceId(raw.device_id)) {
    return Status::InvalidArgument(who + ": the device index holds a malformed device id");
  }
  if (!raw.doc) {
    return std::optional<DeviceView>();
  }
  std::optional<std::int64_t> version =
      raw.version ? ParseDecimal(*raw.version) : std::optional<std::int64_t>();
  if (!version) {
    return Status::InvalidArgument(who + ": saga field v is missing or not an integer");
  }
  Result<saga::Saga> decoded = saga::DecodeSaga(*raw.doc, *version);
  if (!decoded.ok()) {
    return decoded.status().WithContext(who);
  }
  if (decoded->device_id != raw.device_id) {
    return Status::InvalidArgument(who + ": saga document belongs to another device");
  }
  DeviceView view;
  view.saga = std::move(decoded).value();
  view.last_seen = ParseLastSeen(raw.last_seen).value_or(view.saga.first_seen);
  return std::optional<DeviceView>(std::move(view));
}

}  // namespace gps::ui
