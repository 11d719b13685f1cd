// The inventory half of MenderApi: device attributes, tags with their ETag, and the v2 search.
#include <rapidjson/document.h>

#include <algorithm>
#include <set>
#include <vector>

#include "cloudsim/mender/identity.h"
#include "cloudsim/mender/mender_api.h"
#include "cloudsim/mender/mender_common.h"
#include "cloudsim/server/ids.h"

namespace gps::cloudsim {

namespace {

constexpr std::string_view kScopes[] = {"inventory", "system", "identity", "monitor", "tags"};
constexpr std::string_view kFilterTypes[] = {"$eq",  "$in",   "$nin", "$gt",     "$gte",  "$lt",
                                             "$lte", "$ltne", "$ne",  "$exists", "$regex"};
// The predicates the simulator evaluates; the others are refused instead of ignored.
constexpr std::string_view kSupportedTypes[] = {"$eq", "$ne", "$in", "$nin", "$exists"};

template <std::size_t N>
bool OneOf(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

struct Tag {
  std::string name;
  std::string value_json;
  std::optional<std::string> description;
  std::optional<std::string> timestamp;
};

// A tag value is a string, a number, or an array of only strings or only numbers.
bool ValidAttributeValue(const json::Value& v) {
  const json::RawValue* raw = v.raw();
  if (raw->IsString() || raw->IsNumber()) {
    return true;
  }
  if (!raw->IsArray()) {
    return false;
  }
  bool strings = false;
  bool numbers = false;
  for (const json::RawValue& item : raw->GetArray()) {
    strings = strings || item.IsString();
    numbers = numbers || item.IsNumber();
    if (!item.IsString() && !item.IsNumber()) {
      return false;
    }
  }
  return !(strings && numbers);
}

Result<std::vector<Tag>> ParseTags(const std::string& body) {
  constexpr std::string_view kPrefix = "failed to decode request body: ";
  Result<json::Document> doc = mender::ParseBody(body, "tags");
  if (!doc.ok()) {
    return Status::InvalidArgument(std::string(kPrefix) + doc.status().message());
  }
  json::Value root = doc->Root();
  if (!root.IsArray()) {
    return Status::InvalidArgument(std::string(kPrefix) + "json: cannot unmarshal " +
                                   std::string(root.TypeName()) +
                                   " into Go value of type model.DeviceAttributes");
  }
  std::vector<Tag> tags;
  for (const json::Value& item : root.AsArray().value_or({})) {
    if (!item.IsObject()) {
      return Status::InvalidArgument(std::string(kPrefix) + "json: cannot unmarshal " +
                                     std::string(item.TypeName()) +
                                     " into Go value of type model.DeviceAttribute");
    }
    Tag t;
    if (std::optional<json::Value> name = item.Find("name")) {
      if (!name->IsString()) {
        return Status::InvalidArgument(
            std::string(kPrefix) +
            mender::UnmarshalTypeError(*name, "DeviceAttribute.name", "string"));
      }
      t.name = name->AsString(1 << 20).value_or("");
    }
    if (t.name.empty()) {
      return Status::InvalidArgument("name: cannot be blank.");
    }
    if (t.name.size() > 1024) {
      return Status::InvalidArgument("name: the length must be between 1 and 1024.");
    }
    std::optional<json::Value> value = item.Find("value");
    if (!value || !ValidAttributeValue(*value)) {
      return Status::InvalidArgument(
          "value: supported types are string, float64, and arrays thereof.");
    }
    t.value_json = mender::GoJson(*value);
    if (std::optional<json::Value> d = item.Find("description")) {
      if (!d->IsString()) {
        return Status::InvalidArgument(
            std::string(kPrefix) +
            mender::UnmarshalTypeError(*d, "DeviceAttribute.description", "string"));
      }
      t.description = d->AsString(1 << 20).value_or("");
    }
    if (std::optional<json::Value> ts = item.Find("timestamp")) {
      if (!ts->IsString()) {
        return Status::InvalidArgument(
            std::string(kPrefix) +
            mender::UnmarshalTypeError(*ts, "DeviceAttribute.timestamp", "time.Time"));
      }
      t.timestamp = ts->AsString().value_or("");
    }
    tags.push_back(std::move(t));
  }
  return tags;
}

InventoryAttribute* FindAttribute(InventoryDevice& d, std::string_view scope,
                                  std::string_view name) {
  for (InventoryAttribute& a : d.attributes) {
    if (a.scope == scope && a.name == name) {
      return &a;
    }
  }
  return nullptr;
}

void WriteAttribute(json::Writer& w, const InventoryAttribute& a) {
  w.BeginObject();
  w.Field("name", a.name);
  if (a.description) {
    w.Field("description", *a.description);
  }
  w.Key("value").Raw(a.value_json);
  w.Field("scope", a.scope);
  if (a.timestamp) {
    w.Field("timestamp", *a.timestamp);
  }
  w.EndObject();
}

// ---- search ----
struct Predicate {
  std::string scope;
  std::string attribute;
  std::string type;
  std::string value_json;           // canonical
  std::vector<std::string> values;  // $in / $nin elements, canonical
  bool exists = true;               // $exists
};

struct Selected {
  std::string scope;
  std::string attribute;
};

struct Search {
  std::int64_t page = 1;
  std::int64_t per_page = 20;
  std::vector<Predicate> filters;
  std::vector<std::string> device_ids;
  std::vector<Selected> attributes;
};

Result<std::string> RequiredString(const json::Value& obj, std::string_view key,
                                   std::string_view where) {
  std::optional<json::Value> v = obj.Find(key);
  if (!v) {
    return Status::InvalidArgument(std::string(where) + ": (" + std::string(key) +
                                   ": cannot be blank.).");
  }
  if (!v->IsString()) {
    return Status::InvalidArgument(
        "failed to decode request body: " +
        mender::UnmarshalTypeError(*v, std::string(where) + "." + std::string(key), "string"));
  }
  GPS_ASSIGN_OR_RETURN(std::string s, v->AsString());
  if (s.empty()) {
    return Status::InvalidArgument(std::string(where) + ": (" + std::string(key) +
                                   ": cannot be blank.).");
  }
  return s;
}

Result<Search> ParseSearch(const std::string& body) {
  Result<json::Document> doc = mender::ParseBody(body, "search");
  if (!doc.ok()) {
    return Status::InvalidArgument("failed to decode request body: " + doc.status().message());
  }
  json::Value root = doc->Root();
  if (!root.IsObject()) {
    return Status::InvalidArgument("failed to decode request body: json: cannot unmarshal " +
                                   std::string(root.TypeName()) +
                                   " into Go value of type model.SearchParams");
  }
  Search s;
  GPS_ASSIGN_OR_RETURN(s.page, root.GetIntOr("page", 0));
  GPS_ASSIGN_OR_RETURN(s.per_page, root.GetIntOr("per_page", 0));
  if (s.page < 1) {
    s.page = 1;
  }
  if (s.per_page < 1) {
    s.per_page = 20;
  }
  if (std::optional<json::Value> text = root.Find("text")) {
    return Status::FailedPrecondition(
        "free-text search (\"text\") is not supported by gps-cloudsim");
  }
  if (std::optional<json::Value> sort = root.Find("sort")) {
    if (!sort->IsArray() || !sort->raw()->Empty()) {
      return Status::FailedPrecondition("sorting (\"sort\") is not supported by gps-cloudsim");
    }
  }
  if (std::optional<json::Value> ids = root.Find("device_ids")) {
    GPS_ASSIGN_OR_RETURN(std::vector<json::Value> items, ids->AsArray());
    for (const json::Value& id : items) {
      GPS_ASSIGN_OR_RETURN(std::string v, id.AsString());
      s.device_ids.push_back(std::move(v));
    }
  }
  if (std::optional<json::Value> filters = root.Find("filters")) {
    GPS_ASSIGN_OR_RETURN(std::vector<json::Value> items, filters->AsArray());
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json::Value& f = items[i];
      std::string where = "filters[" + std::to_string(i) + "]";
      if (!f.IsObject()) {
        return Status::InvalidArgument(where + ": must be an object");
      }
      Predicate p;
      GPS_ASSIGN_OR_RETURN(p.scope, RequiredString(f, "scope", where));
      GPS_ASSIGN_OR_RETURN(p.attribute, RequiredString(f, "attribute", where));
      GPS_ASSIGN_OR_RETURN(p.type, RequiredString(f, "type", where));
      if (!OneOf(p.scope, kScopes)) {
        return Status::InvalidArgument(where + ": (scope: must be a valid value.).");
      }
      if (!OneOf(p.type, kFilterTypes)) {
        return Status::InvalidArgument(where + ": (type: must be a valid value.).");
      }
      if (!OneOf(p.type, kSupportedTypes)) {
        return Status::FailedPrecondition("filter type " + p.type +
                                          " is not supported by gps-cloudsim");
      }
      std::optional<json::Value> value = f.Find("value");
      if (!value) {
        return Status::InvalidArgument(where + ": (value: cannot be blank.).");
      }
      if (p.type == "$exists") {
        if (!value->raw()->IsBool()) {
          return Status::InvalidArgument(where + ": $exists expects a boolean value");
        }
        p.exists = value->raw()->GetBool();
      } else if (p.type == "$in" || p.type == "$nin") {
        if (!value->IsArray()) {
          return Status::InvalidArgument("(BadValue) " + p.type + " needs an array");
        }
        for (const json::Value& item : value->AsArray().value_or({})) {
          p.values.push_back(mender::GoJson(item));
        }
      } else {
        p.value_json = mender::GoJson(*value);
      }
      s.filters.push_back(std::move(p));
    }
  }
  if (std::optional<json::Value> attrs = root.Find("attributes")) {
    GPS_ASSIGN_OR_RETURN(std::vector<json::Value> items, attrs->AsArray());
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string where = "attributes[" + std::to_string(i) + "]";
      if (!items[i].IsObject()) {
        return Status::InvalidArgument(where + ": must be an object");
      }
      Selected sel;
      GPS_ASSIGN_OR_RETURN(sel.scope, RequiredString(items[i], "scope", where));
      GPS_ASSIGN_OR_RETURN(sel.attribute, RequiredString(items[i], "attribute", where));
      s.attributes.push_back(std::move(sel));
    }
  }
  return s;
}

// The canonical JSON of the attribute's value(s): one entry, or each element of an array value
// (Mongo matches a scalar against the elements of an array field).
std::vector<std::string> ValuesOf(const InventoryDevice& d, const Predicate& p, bool* exists) {
  std::vector<std::string> out;
  *exists = false;
  if (p.scope == "identity" && p.attribute == "id") {
    *exists = true;
    out.push_back(json::Quote(d.id));
    return out;
  }
  for (const InventoryAttribute& a : d.attributes) {
    if (a.scope != p.scope || a.name != p.attribute) {
      continue;
    }
    *exists = true;
    out.push_back(a.value_json);
    if (!a.value_json.empty() && a.value_json[0] == '[') {
      Result<json::Document> doc = json::Parse(a.value_json, 1 << 20, "attribute");
      if (doc.ok()) {
        for (const json::Value& item : doc->Root().AsArray().value_or({})) {
          out.push_back(mender::GoJson(item));
        }
      }
    }
  }
  return out;
}

bool Matches(const InventoryDevice& d, const Predicate& p) {
  bool exists = false;
  std::vector<std::string> values = ValuesOf(d, p, &exists);
  auto contains = [&](const std::string& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  auto contains_any = [&](const std::vector<std::string>& set) {
    return std::any_of(set.begin(), set.end(), contains);
  };
  if (p.type == "$eq") {
    return contains(p.value_json);
  }
  if (p.type == "$ne") {
    return !contains(p.value_json);
  }
  if (p.type == "$in") {
    return contains_any(p.values);
  }
  if (p.type == "$nin") {
    return !contains_any(p.values);
  }
  if (p.type == "$exists") {
    return exists == p.exists;
  }
  return false;
}

}  // namespace

namespace mender {

void WriteInventoryDevice(json::Writer& w, const InventoryDevice& d) {
  w.BeginObject();
  w.Field("id", d.id);
  w.Key("attributes").BeginArray();
  for (const InventoryAttribute& a : d.attributes) {
    WriteAttribute(w, a);
  }
  w.EndArray();
  w.Field("updated_ts", d.updated_ts);
  w.EndObject();
}

}  // namespace mender

ApiResponse MenderApi::GetInventoryDevice(const Call& call, const std::string& id) {
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.mender.inventory.find(id);
    if (it == data.mender.inventory.end()) {
      return mender::Error(404, "Device not found", call.request_id);
    }
    json::Writer w;
    mender::WriteInventoryDevice(w, it->second);
    ApiResponse r = mender::JsonOk(200, w.Take(), call.request_id);
    if (!it->second.tags_etag.empty()) {
      r.SetHeader("ETag", it->second.tags_etag);
    }
    return r;
  });
}

ApiResponse MenderApi::WriteTags(const Call& call, const std::string& id, bool replace) {
  Result<std::vector<Tag>> tags = ParseTags(call.request.body);
  if (!tags.ok()) {
    return mender::Error(400, tags.status().message(), call.request_id);
  }
  std::string if_match = call.request.Header("If-Match").value_or("");
  return state_->Locked([&](SimData& data) -> ApiResponse {
    auto it = data.mender.inventory.find(id);
    InventoryDevice* d = it == data.mender.inventory.end() ? nullptr : &it->second;
    // Limit check first, as inventory does (PUT counts the body, PATCH counts the union).
    std::set<std::string> names;
    for (const Tag& t : *tags) {
      names.insert(t.name);
    }
    std::size_t count = names.size();
    if (!replace && d != nullptr) {
      for (const InventoryAttribute& a : d->attributes) {
        if (a.scope == "tags" && names.count(a.name) == 0) {
          ++count;
        }
      }
    }
    if (count > config_.max_tags) {
      return mender::Error(400, "too many attributes", call.request_id);
    }
    // Tag writes never create the inventory record (the update is not an upsert for scope
    // tags): an unknown device is a silent no-op, or 412 when an ETag was required.
    if (d == nullptr || (!if_match.empty() && if_match != d->tags_etag)) {
      if (!if_match.empty()) {
        return mender::Error(412, "ETag doesn't match", call.request_id);
      }
      return mender::Bare(200, call.request_id);
    }
    if (replace) {
      d->attributes.erase(std::remove_if(d->attributes.begin(), d->attributes.end(),
                                         [&](const InventoryAttribute& a) {
                                           return a.scope == "tags" && names.count(a.name) == 0;
                                         }),
                          d->attributes.end());
    }
    for (const Tag& t : *tags) {
      InventoryAttribute* a = FindAttribute(*d, "tags", t.name);
      if (a == nullptr) {
        d->attributes.push_back({"tags", t.name, "", std::nullopt, std::nullopt});
        a = &d->attributes.back();
      }
      a->value_json = t.value_json;
      if (t.description) {
        a->description = t.description;
      }
      a->timestamp = t.timestamp.value_or(call.now);
    }
    d->tags_etag = NewUuid();
    return mender::Bare(200, call.request_id);
  });
}

ApiResponse MenderApi::SearchInventory(const Call& call) {
  Result<Search> search = ParseSearch(call.request.body);
  if (!search.ok()) {
    return mender::Error(400, search.status().message(), call.request_id);
  }
  return state_->Locked([&](SimData& data) -> ApiResponse {
    std::vector<const InventoryDevice*> hits;
    for (const auto& [id, d] : data.mender.inventory) {
      if (!search->device_ids.empty() &&
          std::find(search->device_ids.begin(), search->device_ids.end(), id) ==
              search->device_ids.end()) {
        continue;
      }
      bool all = std::all_of(search->filters.begin(), search->filters.end(),
                             [&](const Predicate& p) { return Matches(d, p); });
      if (all) {
        hits.push_back(&d);
      }
    }
    std::sort(hits.begin(), hits.end(),
              [](const InventoryDevice* a, const InventoryDevice* b) { return a->seq < b->seq; });
    std::size_t skip = static_cast<std::size_t>((search->page - 1) * search->per_page);
    std::size_t limit = static_cast<std::size_t>(search->per_page);
    json::Writer w;
    w.BeginArray();
    for (std::size_t i = skip; i < hits.size() && i < skip + limit; ++i) {
      const InventoryDevice& d = *hits[i];
      w.BeginObject();
      w.Field("id", d.id);
      w.Key("attributes").BeginArray();
      for (const InventoryAttribute& a : d.attributes) {
        bool selected = search->attributes.empty() ||
                        std::any_of(search->attributes.begin(), search->attributes.end(),
                                    [&](const Selected& s) {
                                      return s.scope == a.scope && s.attribute == a.name;
                                    });
        if (selected) {
          WriteAttribute(w, a);
        }
      }
      w.EndArray();
      w.Field("updated_ts", d.updated_ts);
      w.EndObject();
    }
    w.EndArray();
    ApiResponse r = mender::JsonOk(200, w.Take(), call.request_id);
    r.SetHeader("X-Total-Count", std::to_string(hits.size()));
    return r;
  });
}

}  // namespace gps::cloudsim
