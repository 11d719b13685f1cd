#include "workers/hub-manifest/manifest_template.h"

#include <array>
#include <optional>
#include <utility>

#include "embedded/hub_schemas.h"
#include "gps/config/config.h"
#include "gps/json/json.h"
#include "gps/protocol/names.h"
#include "workers/hub-manifest/json_schema.h"

namespace gps::worker::hub {

namespace {

constexpr std::size_t kMaxMenderId = 64;
constexpr std::string_view kRoot = "modulesContent";
constexpr std::string_view kDesired = "properties.desired";

// The placeholder names, in the order of the bits of Impl::used.
constexpr std::array<std::string_view, 3> kNames = {"DEVICE_NAME", "DEVICE_ID", "MENDER_DEVICE_ID"};

const std::string* ValueOf(const TemplateValues& v, std::size_t index) {
  switch (index) {
    case 0:
      return &v.device_name;
    case 1:
      return &v.device_id;
    case 2:
      return &v.mender_device_id;
  }
  return nullptr;
}

Status CheckValue(std::size_t index, const std::string& value) {
  const std::string name = "${" + std::string(kNames[index]) + "}";
  if (value.empty()) {
    return Status::InvalidArgument(name + ": the template uses it and this device has no value");
  }
  switch (index) {
    case 0:
      return protocol::ValidateDeviceName(value).WithContext(name);
    case 1:
      return protocol::IsDeviceId(value)
                 ? Status::Ok()
                 : Status::InvalidArgument(name + ": not a device id (64 lower-case hex digits)");
    default:
      break;
  }
  bool plain = value.size() <= kMaxMenderId;
  for (char c : value) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-');
  }
  return plain
             ? Status::Ok()
             : Status::InvalidArgument(name + ": not a Mender device id (at most " +
                                       std::to_string(kMaxMenderId) + " letters, digits and '-')");
}

// s with its placeholders replaced by values (or, when values is null, only checked); the bit of
// each placeholder met is set in *used.
Result<std::string> Expand(std::string_view s, const std::string& path,
                           const TemplateValues* values, unsigned* used) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t dollar = s.find('$', i);
    if (dollar == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, dollar - i));
    if (s.substr(dollar, 3) == "$${") {
      out += "${";
      i = dollar + 3;
      continue;
    }
    if (s.substr(dollar, 2) != "${") {
      out += '$';
      i = dollar + 1;
      continue;
    }
    std::size_t close = s.find('}', dollar + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(path +
                                     ": \"${\" without its \"}\" (write \"$${\" for a "
                                     "literal \"${\")");
    }
    std::string_view name = s.substr(dollar + 2, close - dollar - 2);
    std::size_t index = kNames.size();
    for (std::size_t k = 0; k < kNames.size(); ++k) {
      if (kNames[k] == name) {
        index = k;
      }
    }
    if (index == kNames.size()) {
      return Status::InvalidArgument(path + ": unknown placeholder ${" + std::string(name) +
                                     "} (known: ${DEVICE_NAME}, ${DEVICE_ID}, "
                                     "${MENDER_DEVICE_ID}; \"$${\" is a literal \"${\")");
    }
    *used |= 1u << index;
    out += values != nullptr ? *ValueOf(*values, index) : "${" + std::string(name) + "}";
    i = close + 1;
  }
  return out;
}

// Writes v with the placeholders of its strings expanded (see Expand).
Status Write(const json::Value& v, const std::string& path, const TemplateValues* values,
             unsigned* used, json::Writer& w) {
  if (v.IsObject()) {
    GPS_ASSIGN_OR_RETURN(auto members, v.Members());
    w.BeginObject();
    for (const auto& [key, child] : members) {
      const std::string child_path = JsonPathChild(path, key);
      if (key.find("${") != std::string::npos) {
        return Status::InvalidArgument(child_path +
                                       ": placeholders are filled in in string values only, "
                                       "not in keys");
      }
      w.Key(key);
      GPS_RETURN_IF_ERROR(Write(child, child_path, values, used, w));
    }
    w.EndObject();
    return Status::Ok();
  }
  if (v.IsArray()) {
    GPS_ASSIGN_OR_RETURN(std::vector<json::Value> items, v.AsArray());
    w.BeginArray();
    for (std::size_t i = 0; i < items.size(); ++i) {
      GPS_RETURN_IF_ERROR(Write(items[i], JsonPathIndex(path, i), values, used, w));
    }
    w.EndArray();
    return Status::Ok();
  }
  if (v.IsString()) {
    GPS_ASSIGN_OR_RETURN(std::string s, v.AsString(kMaxTemplateBytes));
    GPS_ASSIGN_OR_RETURN(std::string expanded, Expand(s, path, values, used));
    w.String(expanded);
    return Status::Ok();
  }
  w.Raw(v.Serialize());  // a number, boolean or null, exactly as written
  return Status::Ok();
}

struct Schemas {
  JsonSchema agent10, agent11, hub10, hub11, hub12;
};

Result<Schemas> CompileSchemas() {
  GPS_ASSIGN_OR_RETURN(JsonSchema agent10,
                       JsonSchema::Compile(schemas::kEdgeAgent10, "edgeAgent deployment 1.0"));
  GPS_ASSIGN_OR_RETURN(JsonSchema agent11,
                       JsonSchema::Compile(schemas::kEdgeAgent11, "edgeAgent deployment 1.1"));
  GPS_ASSIGN_OR_RETURN(JsonSchema hub10,
                       JsonSchema::Compile(schemas::kEdgeHub10, "edgeHub deployment 1.0"));
  GPS_ASSIGN_OR_RETURN(JsonSchema hub11,
                       JsonSchema::Compile(schemas::kEdgeHub11, "edgeHub deployment 1.1"));
  GPS_ASSIGN_OR_RETURN(JsonSchema hub12,
                       JsonSchema::Compile(schemas::kEdgeHub12, "edgeHub deployment 1.2"));
  return Schemas{agent10, agent11, hub10, hub11, hub12};
}

Result<const Schemas*> EmbeddedSchemas() {
  static const Result<Schemas> compiled = CompileSchemas();
  if (!compiled.ok()) {
    return Status::Internal("built-in deployment schema: " + compiled.status().message());
  }
  return &compiled.value();
}

// One system module of the manifest ($edgeAgent or $edgeHub) and the schema its schemaVersion
// picks.
struct SystemModule {
  std::string name;     // "$edgeAgent"
  std::string path;     // modulesContent.$edgeAgent
  std::string version;  // "1.1"
  const JsonSchema* schema = nullptr;
};

Result<SystemModule> PickSchema(
    const json::Value& modules, std::string_view name,
    const std::vector<std::pair<std::string_view, const JsonSchema*>>& known) {
  SystemModule m;
  m.name = std::string(name);
  m.path = JsonPathChild(kRoot, name);
  std::optional<json::Value> module = modules.Find(name);
  if (!module) {
    return Status::InvalidArgument(m.path + ": missing (required)");
  }
  // The module entries were checked to be {"properties.desired": {...}}.
  GPS_ASSIGN_OR_RETURN(json::Value desired, module->GetObject(kDesired));
  const std::string version_path = JsonPathChild(JsonPathChild(m.path, kDesired), "schemaVersion");
  std::optional<json::Value> version = desired.Find("schemaVersion");
  if (!version) {
    return Status::InvalidArgument(version_path + ": missing (required)");
  }
  if (!version->IsString()) {
    return Status::InvalidArgument(version_path + ": expected string, got " +
                                   std::string(version->TypeName()));
  }
  GPS_ASSIGN_OR_RETURN(m.version, version->AsString(16));
  std::string versions;
  for (const auto& [v, schema] : known) {
    if (v == m.version) {
      m.schema = schema;
      return m;
    }
    versions += (versions.empty() ? "" : ", ") + std::string(v);
  }
  return Status::InvalidArgument(version_path + ": " + json::Quote(m.version) +
                                 " is not a schemaVersion this worker can check (" + versions +
                                 ")");
}

}  // namespace

struct ManifestTemplate::Impl {
  json::Document doc;
  unsigned used = 0;
  std::optional<SystemModule> agent;
  std::optional<SystemModule> hub;
};

TemplateValues SampleValues() {
  return TemplateValues{"gw-sample-0001", std::string(64, '0'),
                        "00000000-0000-4000-8000-000000000000"};
}

Result<ManifestTemplate> ManifestTemplate::Load(const std::string& path) {
  Result<std::string> text = config::ReadFile(path, kMaxTemplateBytes);
  if (!text.ok()) {
    return Status::InvalidArgument(text.status().message());
  }
  Result<ManifestTemplate> parsed = Parse(*text);
  if (!parsed.ok()) {
    return parsed.status().WithContext(path);
  }
  return parsed;
}

Result<ManifestTemplate> ManifestTemplate::Parse(std::string_view text) {
  GPS_ASSIGN_OR_RETURN(const Schemas* schemas, EmbeddedSchemas());
  auto impl = std::make_shared<Impl>();
  GPS_ASSIGN_OR_RETURN(impl->doc, json::ParseObject(text, kMaxTemplateBytes, "template"));
  const json::Value root = impl->doc.Root();
  GPS_ASSIGN_OR_RETURN(auto top, root.Members());
  for (const auto& [key, unused] : top) {
    if (key != kRoot) {
      std::string path = JsonPathChild("", key);
      if (path.front() == '.') {
        path.erase(0, 1);
      }
      return Status::InvalidArgument(path +
                                     ": not allowed here (the template is "
                                     "{\"modulesContent\": {...}})");
    }
  }
  std::optional<json::Value> modules = root.Find(kRoot);
  if (!modules || !modules->IsObject()) {
    return Status::InvalidArgument(
        std::string(kRoot) + (modules ? ": expected object, got " + std::string(modules->TypeName())
                                      : ": missing (the template is "
                                        "{\"modulesContent\": {...}})"));
  }
  GPS_ASSIGN_OR_RETURN(auto entries, modules->Members());
  for (const auto& [name, entry] : entries) {
    const std::string path = JsonPathChild(kRoot, name);
    Result<std::vector<std::pair<std::string, json::Value>>> parts = entry.Members();
    if (!parts.ok() || parts->size() != 1 || parts->front().first != kDesired ||
        !parts->front().second.IsObject()) {
      return Status::InvalidArgument(path +
                                     ": a module's entry is {\"properties.desired\": {...}}");
    }
  }
  // Placeholders are checked, and the ones used noted, without filling them in.
  json::Writer scratch;
  GPS_RETURN_IF_ERROR(Write(*modules, std::string(kRoot), nullptr, &impl->used, scratch));

  GPS_ASSIGN_OR_RETURN(
      SystemModule agent,
      PickSchema(*modules, "$edgeAgent", {{"1.0", &schemas->agent10}, {"1.1", &schemas->agent11}}));
  GPS_ASSIGN_OR_RETURN(
      SystemModule hub,
      PickSchema(*modules, "$edgeHub",
                 {{"1.0", &schemas->hub10}, {"1.1", &schemas->hub11}, {"1.2", &schemas->hub12}}));
  impl->agent = std::move(agent);
  impl->hub = std::move(hub);

  ManifestTemplate t;
  t.impl_ = std::move(impl);
  GPS_RETURN_IF_ERROR(t.Render(SampleValues()).status());
  return t;
}

bool ManifestTemplate::Uses(std::string_view name) const {
  for (std::size_t k = 0; k < kNames.size(); ++k) {
    if (kNames[k] == name) {
      return impl_ != nullptr && (impl_->used & (1u << k)) != 0;
    }
  }
  return false;
}

std::string ManifestTemplate::agent_schema_version() const {
  return impl_ != nullptr ? impl_->agent->version : "";
}

std::string ManifestTemplate::hub_schema_version() const {
  return impl_ != nullptr ? impl_->hub->version : "";
}

Result<std::string> ManifestTemplate::Render(const TemplateValues& values) const {
  if (impl_ == nullptr) {
    return Status::FailedPrecondition("no manifest template is loaded");
  }
  for (std::size_t k = 0; k < kNames.size(); ++k) {
    if ((impl_->used & (1u << k)) != 0) {
      GPS_RETURN_IF_ERROR(CheckValue(k, *ValueOf(values, k)));
    }
  }
  json::Writer w;
  unsigned used = 0;
  w.BeginObject().Key(kRoot);
  GPS_ASSIGN_OR_RETURN(json::Value modules, impl_->doc.Root().Get(kRoot));
  GPS_RETURN_IF_ERROR(Write(modules, std::string(kRoot), &values, &used, w));
  w.EndObject();
  std::string body = w.Take();

  GPS_ASSIGN_OR_RETURN(json::Document rendered,
                       json::ParseObject(body, 2 * kMaxTemplateBytes, "rendered manifest"));
  GPS_ASSIGN_OR_RETURN(json::Value rendered_modules, rendered.Root().Get(kRoot));
  for (const SystemModule* m : {&*impl_->agent, &*impl_->hub}) {
    GPS_ASSIGN_OR_RETURN(json::Value module, rendered_modules.Get(m->name));
    GPS_RETURN_IF_ERROR(m->schema->Validate(module, "/properties/" + m->name, m->path));
  }
  return body;
}

}  // namespace gps::worker::hub
