#include "workers/mender/mender_client.h"

#include <algorithm>

#include "gps/core/text.h"
#include "gps/crypto/encoding.h"
#include "gps/http/deadline_send.h"
#include "gps/json/json.h"
#include "gps/process/settings.h"
#include "gps/protocol/limits.h"

namespace gps::worker::mender {

namespace {

constexpr std::size_t kMaxBodyBytes = http::kMaxResponseBytes;
constexpr std::size_t kMaxIdLength = 64;
constexpr std::size_t kMaxTagNameLength = 1024;

std::string DevicePath(const MenderSettings& s, std::string_view prefix, std::string_view id) {
  return s.url + std::string(prefix) + crypto::UrlEncode(id);
}

http::Request BaseRequest(const MenderSettings& s, std::string method, std::string url) {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers.push_back({"Authorization", "Bearer " + s.token});
  r.headers.push_back({"Accept", "application/json"});
  r.timeout_ms = s.timeout_ms;
  r.ca_file = s.ca_file;
  return r;
}

void SetJsonBody(http::Request& r, std::string body) {
  // Mender answers 415 to a body of any other type.
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = std::move(body);
}

// One $eq filter; the answer carries each device's name tag and identity MAC.
http::Request SearchRequest(const MenderSettings& s, std::string_view scope,
                            std::string_view attribute, std::string_view value, int page) {
  http::Request r = BaseRequest(s, "POST", s.url + "/api/management/v2/inventory/filters/search");
  json::Writer w;
  w.BeginObject().Field("page", page).Field("per_page", kSearchPageSize);
  w.Key("filters").BeginArray();
  w.BeginObject()
      .Field("scope", scope)
      .Field("attribute", attribute)
      .Field("type", "$eq")
      .Field("value", value)
      .EndObject();
  w.EndArray();
  w.Key("attributes").BeginArray();
  w.BeginObject().Field("scope", "tags").Field("attribute", "name").EndObject();
  w.BeginObject().Field("scope", "identity").Field("attribute", "mac").EndObject();
  w.EndArray().EndObject();
  SetJsonBody(r, w.Take());
  return r;
}

}  // namespace

void AddMenderSettings(config::Table& table, MenderSettings* s) {
  table.Add("GPS_MENDER_URL", &s->url, "https://hosted.mender.io",
            "Mender server base URL (the management API lives under /api/management/)");
  table.AddSecret("GPS_MENDER_TOKEN", &s->token,
                  "Mender personal access token or login JWT (sent as a Bearer token)");
  process::AddHttpClientSettings(table, "Mender", &s->timeout_ms, &s->ca_file);
  table.AddCheck([s] { return ValidateMenderSettings(s); });
}

Status ValidateMenderSettings(MenderSettings* s) {
  while (!s->url.empty() && s->url.back() == '/') {
    s->url.pop_back();
  }
  if (s->url.rfind("https://", 0) != 0 && s->url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("GPS_MENDER_URL: '" + s->url +
                                   "' must start with https:// (or http:// for a local stand-in)");
  }
  if (HasControlCharacter(s->url)) {
    return Status::InvalidArgument("GPS_MENDER_URL: contains control characters");
  }
  if (s->token.empty()) {
    return Status::InvalidArgument("GPS_MENDER_TOKEN: required (or GPS_MENDER_TOKEN_FILE)");
  }
  if (HasControlCharacter(s->token) || s->token.find(' ') != std::string::npos) {
    return Status::InvalidArgument("GPS_MENDER_TOKEN: must be one token without spaces");
  }
  return Status::Ok();
}

bool IsMenderId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

http::Request SearchByNameRequest(const MenderSettings& s, std::string_view name, int page) {
  return SearchRequest(s, "tags", "name", name, page);
}

http::Request SearchByMacRequest(const MenderSettings& s, std::string_view mac, int page) {
  return SearchRequest(s, "identity", "mac", mac, page);
}

http::Request PreauthorizeRequest(const MenderSettings& s, std::string_view mac,
                                  std::string_view pubkey_pem) {
  http::Request r = BaseRequest(s, "POST", s.url + "/api/management/v2/devauth/devices");
  json::Writer w;
  // The server hashes identity_data as sorted compact JSON and the device's own identity must hash
  // the same, so it holds exactly the attribute the stock identity script reports.
  w.BeginObject().Key("identity_data").BeginObject().Field("mac", mac).EndObject();
  w.Field("pubkey", pubkey_pem).Field("force", false).EndObject();
  SetJsonBody(r, w.Take());
  return r;
}

http::Request GetDevauthDeviceRequest(const MenderSettings& s, std::string_view device_id) {
  return BaseRequest(s, "GET", DevicePath(s, "/api/management/v2/devauth/devices/", device_id));
}

http::Request GetInventoryDeviceRequest(const MenderSettings& s, std::string_view device_id) {
  return BaseRequest(s, "GET", DevicePath(s, "/api/management/v1/inventory/devices/", device_id));
}

http::Request PutTagsRequest(const MenderSettings& s, std::string_view device_id,
                             const std::vector<Tag>& tags, std::string_view etag) {
  http::Request r = BaseRequest(
      s, "PUT", DevicePath(s, "/api/management/v1/inventory/devices/", device_id) + "/tags");
  if (!etag.empty()) {
    r.headers.push_back({"If-Match", std::string(etag)});
  }
  json::Writer w;
  w.BeginArray();
  for (const Tag& t : tags) {
    w.BeginObject().Field("name", t.name).Key("value").Raw(t.value_json);
    if (!t.description.empty()) {
      w.Field("description", t.description);
    }
    w.EndObject();
  }
  w.EndArray();
  SetJsonBody(r, w.Take());
  return r;
}

http::Request DecommissionRequest(const MenderSettings& s, std::string_view device_id) {
  return BaseRequest(s, "DELETE", DevicePath(s, "/api/management/v2/devauth/devices/", device_id));
}

Result<std::vector<InventoryDevice>> ParseSearchResults(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::Parse(body, kMaxBodyBytes, "search answer"));
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> items, doc.Root().AsArray());
  std::vector<InventoryDevice> out;
  for (const json::Value& item : items) {
    InventoryDevice d;
    GPS_ASSIGN_OR_RETURN(d.id, item.GetString("id", kMaxIdLength));
    if (!IsMenderId(d.id)) {
      return Status::InvalidArgument(item.path() + ".id: not a Mender device id");
    }
    if (std::optional<json::Value> attrs = item.Find("attributes")) {
      GPS_ASSIGN_OR_RETURN(std::vector<json::Value> list, attrs->AsArray());
      for (const json::Value& a : list) {
        GPS_ASSIGN_OR_RETURN(std::string scope, a.GetStringOr("scope", ""));
        GPS_ASSIGN_OR_RETURN(std::string name, a.GetStringOr("name", "", kMaxTagNameLength));
        if (scope != "identity" || name != "mac") {
          continue;
        }
        // A MAC held as anything but one string is not the {"mac": "<one MAC>"} identity this
        // worker pre-authorises, so it is left out and the device counts as someone else's.
        if (std::optional<json::Value> v = a.Find("value"); v && v->IsString()) {
          GPS_ASSIGN_OR_RETURN(d.mac, v->AsString());
        }
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::string> DeviceIdFromLocation(std::string_view location) {
  std::size_t end = location.find_first_of("?#");
  std::string_view path = location.substr(0, end);
  std::size_t slash = path.rfind('/');
  std::string_view id = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (!IsMenderId(id)) {
    return Status::InvalidArgument("Location '" + std::string(location.substr(0, 128)) +
                                   "' does not end in a device id");
  }
  return std::string(id);
}

Result<Device> ParseDevice(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc, json::ParseObject(body, kMaxBodyBytes, "device"));
  json::Value root = doc.Root();
  Device d;
  GPS_ASSIGN_OR_RETURN(d.id, root.GetString("id", kMaxIdLength));
  if (!IsMenderId(d.id)) {
    return Status::InvalidArgument("device.id: not a Mender device id");
  }
  GPS_ASSIGN_OR_RETURN(d.decommissioning, root.GetBoolOr("decommissioning", false));
  if (std::optional<json::Value> sets = root.Find("auth_sets")) {
    GPS_ASSIGN_OR_RETURN(std::vector<json::Value> list, sets->AsArray());
    for (const json::Value& set : list) {
      GPS_ASSIGN_OR_RETURN(std::string pem, set.GetStringOr("pubkey", "", protocol::kMaxPemBytes));
      if (!pem.empty()) {
        d.auth_set_pubkeys.push_back(std::move(pem));
      }
    }
  }
  return d;
}

Result<std::vector<Tag>> ParseInventoryTags(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, kMaxBodyBytes, "inventory device"));
  std::vector<Tag> tags;
  std::optional<json::Value> attrs = doc.Root().Find("attributes");
  if (!attrs) {
    return tags;
  }
  GPS_ASSIGN_OR_RETURN(std::vector<json::Value> list, attrs->AsArray());
  for (const json::Value& a : list) {
    GPS_ASSIGN_OR_RETURN(std::string scope, a.GetStringOr("scope", ""));
    if (scope != "tags") {
      continue;
    }
    Tag t;
    GPS_ASSIGN_OR_RETURN(t.name, a.GetString("name", kMaxTagNameLength));
    GPS_ASSIGN_OR_RETURN(json::Value value, a.Get("value"));
    t.value_json = value.Serialize();
    GPS_ASSIGN_OR_RETURN(t.description, a.GetStringOr("description", "", kMaxTagNameLength));
    tags.push_back(std::move(t));
  }
  return tags;
}

MenderClient::MenderClient(MenderSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

Result<http::Response> MenderClient::SearchByName(std::string_view name, int page,
                                                  Instant deadline) const {
  return http::SendBefore(SearchByNameRequest(settings_, name, page), deadline, clock_);
}

Result<http::Response> MenderClient::SearchByMac(std::string_view mac, int page,
                                                 Instant deadline) const {
  return http::SendBefore(SearchByMacRequest(settings_, mac, page), deadline, clock_);
}

Result<http::Response> MenderClient::Preauthorize(std::string_view mac, std::string_view pubkey_pem,
                                                  Instant deadline) const {
  return http::SendBefore(PreauthorizeRequest(settings_, mac, pubkey_pem), deadline, clock_);
}

Result<http::Response> MenderClient::GetDevauthDevice(std::string_view device_id,
                                                      Instant deadline) const {
  return http::SendBefore(GetDevauthDeviceRequest(settings_, device_id), deadline, clock_);
}

Result<http::Response> MenderClient::GetInventoryDevice(std::string_view device_id,
                                                        Instant deadline) const {
  return http::SendBefore(GetInventoryDeviceRequest(settings_, device_id), deadline, clock_);
}

Result<http::Response> MenderClient::PutTags(std::string_view device_id,
                                             const std::vector<Tag>& tags, std::string_view etag,
                                             Instant deadline) const {
  return http::SendBefore(PutTagsRequest(settings_, device_id, tags, etag), deadline, clock_);
}

Result<http::Response> MenderClient::Decommission(std::string_view device_id,
                                                  Instant deadline) const {
  return http::SendBefore(DecommissionRequest(settings_, device_id), deadline, clock_);
}

}  // namespace gps::worker::mender
