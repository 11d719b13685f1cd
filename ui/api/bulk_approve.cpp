#include "ui/api/bulk_approve.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "gps/json/json.h"
#include "gps/protocol/command.h"
#include "ui/api/bulk_names.h"
#include "ui/api/requests.h"

namespace gps::ui {

namespace {

struct Item {
  std::string id;
  std::string name;
  HttpResponse outcome;  // status 0 until decided
};

// The message of a response: {"message": ...} for a 202, {"error": ...} otherwise.
std::string MessageOf(const HttpResponse& r) {
  Result<json::Document> doc = json::ParseObject(r.body, 64 * 1024, "reply");
  if (!doc.ok()) {
    return "";
  }
  return doc->Root().GetStringOr(r.status == 202 ? "message" : "error", "").value_or("");
}

}  // namespace

HttpResponse BulkApprove::Approve(const HttpRequest& request, const Caller& caller) {
  Refusal refusal;
  Result<json::Document> body = ParseJsonObjectBody(request, kMaxRequestBodyBytes, &refusal);
  if (!body.ok()) {
    return ErrorResponse(refusal);
  }
  json::Value root = body->Root();
  Result<std::vector<json::Value>> ids = root.GetArray("ids");
  Result<std::string> pattern = root.GetString("pattern", 256);
  Result<std::int64_t> start = root.GetIntOr("start", 1);
  for (const Status& st : {ids.status(), pattern.status(), start.status()}) {
    if (!st.ok()) {
      return ErrorResponse(
          400, st.message() + R"(; send {"ids": ["<device id>", ...], "pattern": "gw-{mac6}"})");
    }
  }
  if (ids->empty() || ids->size() > kMaxBulkDevices) {
    return ErrorResponse(400, "ids: give 1-" + std::to_string(kMaxBulkDevices) + " device ids");
  }
  if (*start < 0 || *start > 1'000'000'000) {
    return ErrorResponse(400, "start: a whole number from 0 to 1000000000");
  }
  if (Status valid = ValidateNamePattern(*pattern); !valid.ok()) {
    return ErrorResponse(400, valid.message());
  }
  std::vector<Item> items;
  std::set<std::string> seen;
  for (const json::Value& v : *ids) {
    Result<std::string> id = v.AsString(64);
    if (!id.ok() || CheckDeviceId(*id)) {
      return ErrorResponse(400, "ids: every id is 64 lower-case hex characters");
    }
    if (!seen.insert(*id).second) {
      return ErrorResponse(400, "ids: " + *id + " is given twice");
    }
    items.push_back({*id, "", {}});
    items.back().outcome.status = 0;
  }

  std::vector<std::string> wanted(seen.begin(), seen.end());
  Result<std::vector<DeviceView>> found = devices_.GetMany(wanted);
  if (!found.ok()) {
    return ErrorResponse(found.status().IsUnavailable() ? 503 : 500, found.status().message());
  }
  std::map<std::string, const DeviceView*> by_id;
  for (const DeviceView& d : *found) {
    by_id[d.saga.device_id] = &d;
  }
  std::set<std::string> names;
  std::int64_t n = *start;
  for (Item& item : items) {
    auto it = by_id.find(item.id);
    std::int64_t counter = n++;
    if (it == by_id.end()) {
      item.outcome = ErrorResponse(404, protocol::kUnknownDeviceMessage);
      continue;
    }
    const saga::Saga& s = it->second->saga;
    Result<std::string> name = RenderName(*pattern, s.mac, counter);
    if (!name.ok()) {
      item.outcome = ErrorResponse(400, name.status().message());
      continue;
    }
    item.name = *name;
    if (s.phase != saga::Phase::kPending) {
      item.outcome = ErrorResponse(409, "the device is " + std::string(saga::ApiState(s.phase)) +
                                            "; only a pending device can be approved");
    } else if (!names.insert(*name).second) {
      item.outcome =
          ErrorResponse(409, "the name '" + *name + "' is made for another device of this request");
    }
  }

  // The approvals that remain, a few at a time: each waits for the engine's name check.
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < items.size(); i = next++) {
      if (items[i].outcome.status == 0) {
        items[i].outcome = handlers_.ApproveAs(items[i].id, items[i].name, caller);
      }
    }
  };
  std::vector<std::thread> workers;
  int threads = std::min<int>(parallel_, static_cast<int>(items.size()));
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back(work);
  }
  work();
  for (std::thread& t : workers) {
    t.join();
  }

  json::Writer w;
  int approved = 0;
  w.BeginObject().Key("results").BeginArray();
  for (const Item& item : items) {
    bool ok = item.outcome.status == 202;
    approved += ok ? 1 : 0;
    w.BeginObject()
        .Field("id", item.id)
        .Field("name", item.name)
        .Field("status", item.outcome.status)
        .Field(ok ? "message" : "error", MessageOf(item.outcome))
        .EndObject();
  }
  w.EndArray().Field("approved", approved).EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace gps::ui
