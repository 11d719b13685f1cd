#include "workers/hub-manifest/json_schema.h"

#include <rapidjson/document.h>

#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

namespace gps::worker::hub {

namespace {

using Raw = rapidjson::Value;

constexpr std::size_t kMaxSchemaBytes = 1 << 20;
// std::regex searches recursively, one stack frame per character or so: a string of some ten
// thousand bytes can exhaust a thread's stack. IoT Hub itself refuses twin string values over
// 4 KB, so a longer one fails anyway.
constexpr std::size_t kMaxPatternInput = 4096;
constexpr std::size_t kMaxShownValue = 80;

enum SchemaType : unsigned {
  kNull = 1,
  kBoolean = 2,
  kObject = 4,
  kArray = 8,
  kString = 16,
  kNumber = 32,
  kInteger = 64,
};

constexpr std::pair<std::string_view, unsigned> kTypeNames[] = {
    {"null", kNull},     {"boolean", kBoolean}, {"object", kObject},  {"array", kArray},
    {"string", kString}, {"number", kNumber},   {"integer", kInteger}};

bool IsIntegral(const Raw& v) {
  if (v.IsInt64() || v.IsUint64()) {
    return true;
  }
  const double d = v.GetDouble();
  return std::isfinite(d) && std::floor(d) == d;
}

// The bit of a schema type name; 0 for a name the schema language does not have.
unsigned TypeBit(std::string_view name) {
  for (const auto& [known, bit] : kTypeNames) {
    if (name == known) {
      return bit;
    }
  }
  return 0;
}

// A number without a fraction is also an "integer" to a schema.
unsigned TypeBits(const Raw& v) {
  const unsigned bits = TypeBit(json::TypeName(v));
  return v.IsNumber() && IsIntegral(v) ? (bits | kInteger) : bits;
}

std::string TypeList(unsigned bits) {
  std::string out;
  for (const auto& [name, bit] : kTypeNames) {
    if ((bits & bit) != 0) {
      out += out.empty() ? "" : " or ";
      out += name;
    }
  }
  return out;
}

// The type of a value as a schema's error names it.
std::string_view SchemaTypeName(const Raw& v) {
  return v.IsNumber() && IsIntegral(v) ? "integer" : json::TypeName(v);
}

std::string FormatNumber(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e18) {
    return std::to_string(static_cast<long long>(d));
  }
  return std::to_string(d);
}

std::string_view StringOf(const Raw& v) { return {v.GetString(), v.GetStringLength()}; }

// A value as an error message shows it: scalars as JSON (long strings cut), containers by kind.
std::string Describe(const Raw& v) {
  if (v.IsObject()) {
    return "an object";
  }
  if (v.IsArray()) {
    return "an array";
  }
  if (v.IsString()) {
    std::string_view s = StringOf(v);
    if (s.size() > kMaxShownValue) {
      return json::Quote(s.substr(0, kMaxShownValue)) + "…";
    }
    return json::Quote(s);
  }
  return json::Value(&v, "").Serialize();
}

std::string Escape(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

struct Node {
  unsigned types = 0;  // 0: any type
  const Raw* enum_values = nullptr;
  std::vector<std::string> required;
  std::map<std::string, const Node*, std::less<>> properties;
  struct PatternProperty {
    std::string source;
    std::regex regex;
    const Node* schema = nullptr;
  };
  std::vector<PatternProperty> pattern_properties;
  bool additional_allowed = true;
  const Node* additional_schema = nullptr;
  std::optional<std::regex> pattern;
  std::string pattern_source;
  std::optional<double> minimum;
  std::optional<double> maximum;
  const Node* items = nullptr;
  std::vector<const Node*> any_of;
  const Node* ref = nullptr;
};

Result<std::regex> CompileRegex(std::string_view source, const std::string& where) {
  try {
    return std::regex(std::string(source), std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument(
        where + ": pattern " + json::Quote(source) +
        " is not a regular expression this validator can use: " + e.what());
  }
}

bool Search(const std::regex& regex, std::string_view s) {
  return std::regex_search(s.begin(), s.end(), regex);
}

}  // namespace

struct JsonSchema::Impl {
  json::Document doc;
  std::deque<Node> nodes;  // a deque: Node pointers stay valid as it grows
  std::map<const Raw*, const Node*> by_raw;

  const Raw* Resolve(std::string_view pointer) const;
  Result<const Node*> CompileNode(const Raw& schema, const std::string& where,
                                  std::string_view what);
  Status Check(const Node& node, const Raw& v, const std::string& path) const;
  Status CheckObject(const Node& node, const Raw& v, const std::string& path) const;
};

const Raw* JsonSchema::Impl::Resolve(std::string_view pointer) const {
  if (!pointer.empty() && pointer.front() == '#') {
    pointer.remove_prefix(1);
  }
  const Raw* at = doc.Root().raw();
  while (!pointer.empty()) {
    if (pointer.front() != '/') {
      return nullptr;
    }
    pointer.remove_prefix(1);
    std::size_t end = pointer.find('/');
    std::string_view token = pointer.substr(0, end);
    pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    std::string key;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        key += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        key += token[i];
      }
    }
    if (at->IsObject()) {
      auto it = at->FindMember(
          Raw(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
      if (it == at->MemberEnd()) {
        return nullptr;
      }
      at = &it->value;
    } else if (at->IsArray()) {
      char* end_digits = nullptr;
      unsigned long index = std::strtoul(key.c_str(), &end_digits, 10);
      if (key.empty() || *end_digits != '\0' || index >= at->Size()) {
        return nullptr;
      }
      at = &(*at)[static_cast<rapidjson::SizeType>(index)];
    } else {
      return nullptr;
    }
  }
  return at;
}

Result<const Node*> JsonSchema::Impl::CompileNode(const Raw& schema, const std::string& where,
                                                  std::string_view what) {
  if (auto it = by_raw.find(&schema); it != by_raw.end()) {
    return it->second;
  }
  const std::string at = std::string(what) + ": #" + where;
  if (!schema.IsObject()) {
    return Status::InvalidArgument(at + ": a schema must be an object");
  }
  Node& node = nodes.emplace_back();
  by_raw[&schema] = &node;  // before the children, so a $ref cycle ends here

  auto sub = [&](const Raw& child, const std::string& child_where) {
    return CompileNode(child, child_where, what);
  };
  for (auto m = schema.MemberBegin(); m != schema.MemberEnd(); ++m) {
    const std::string_view key = StringOf(m->name);
    const Raw& value = m->value;
    const std::string key_where = where + "/" + Escape(key);
    const std::string key_at = std::string(what) + ": #" + key_where;
    if (key == "$schema" || key == "$id" || key == "id" || key == "title" || key == "description" ||
        key == "examples" || key == "default" || key == "contentMediaType") {
      continue;
    }
    if (key == "type") {
      std::vector<const Raw*> names;
      if (value.IsString()) {
        names.push_back(&value);
      } else if (value.IsArray() && !value.Empty()) {
        for (const Raw& n : value.GetArray()) {
          names.push_back(&n);
        }
      } else {
        return Status::InvalidArgument(key_at + ": expected a type name or a list of them");
      }
      for (const Raw* n : names) {
        const unsigned bit = n->IsString() ? TypeBit(StringOf(*n)) : 0;
        if (bit == 0) {
          return Status::InvalidArgument(key_at + ": unknown type " + Describe(*n));
        }
        node.types |= bit;
      }
    } else if (key == "enum") {
      if (!value.IsArray() || value.Empty()) {
        return Status::InvalidArgument(key_at + ": expected a non-empty array");
      }
      node.enum_values = &value;
    } else if (key == "required") {
      if (!value.IsArray()) {
        return Status::InvalidArgument(key_at + ": expected an array of property names");
      }
      for (const Raw& n : value.GetArray()) {
        if (!n.IsString()) {
          return Status::InvalidArgument(key_at + ": expected an array of property names");
        }
        node.required.emplace_back(StringOf(n));
      }
    } else if (key == "properties" || key == "definitions") {
      if (!value.IsObject()) {
        return Status::InvalidArgument(key_at + ": expected an object of schemas");
      }
      for (auto p = value.MemberBegin(); p != value.MemberEnd(); ++p) {
        GPS_ASSIGN_OR_RETURN(const Node* child,
                             sub(p->value, key_where + "/" + Escape(StringOf(p->name))));
        if (key == "properties") {
          node.properties.emplace(std::string(StringOf(p->name)), child);
        }
      }
    } else if (key == "patternProperties") {
      if (!value.IsObject()) {
        return Status::InvalidArgument(key_at + ": expected an object of schemas");
      }
      for (auto p = value.MemberBegin(); p != value.MemberEnd(); ++p) {
        const std::string child_where = key_where + "/" + Escape(StringOf(p->name));
        GPS_ASSIGN_OR_RETURN(std::regex regex, CompileRegex(StringOf(p->name),
                                                            std::string(what) + ": #" + key_where));
        GPS_ASSIGN_OR_RETURN(const Node* child, sub(p->value, child_where));
        node.pattern_properties.push_back(
            {std::string(StringOf(p->name)), std::move(regex), child});
      }
    } else if (key == "additionalProperties") {
      if (value.IsBool()) {
        node.additional_allowed = value.GetBool();
      } else {
        GPS_ASSIGN_OR_RETURN(node.additional_schema, sub(value, key_where));
      }
    } else if (key == "pattern") {
      if (!value.IsString()) {
        return Status::InvalidArgument(key_at + ": expected a string");
      }
      node.pattern_source = std::string(StringOf(value));
      GPS_ASSIGN_OR_RETURN(node.pattern, CompileRegex(node.pattern_source, key_at));
    } else if (key == "minimum" || key == "maximum") {
      if (!value.IsNumber()) {
        return Status::InvalidArgument(key_at + ": expected a number");
      }
      (key == "minimum" ? node.minimum : node.maximum) = value.GetDouble();
    } else if (key == "items") {
      if (!value.IsObject()) {
        return Status::InvalidArgument(key_at + ": only one schema for every element is supported");
      }
      GPS_ASSIGN_OR_RETURN(node.items, sub(value, key_where));
    } else if (key == "anyOf") {
      if (!value.IsArray() || value.Empty()) {
        return Status::InvalidArgument(key_at + ": expected a non-empty array of schemas");
      }
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        GPS_ASSIGN_OR_RETURN(const Node* child, sub(value[i], key_where + "/" + std::to_string(i)));
        node.any_of.push_back(child);
      }
    } else if (key == "$ref") {
      if (!value.IsString() || value.GetStringLength() == 0 || value.GetString()[0] != '#') {
        return Status::InvalidArgument(key_at + ": only references inside the schema (#/...)");
      }
      const Raw* target = Resolve(StringOf(value));
      if (target == nullptr) {
        return Status::InvalidArgument(key_at + ": " + Describe(value) + " leads nowhere");
      }
      GPS_ASSIGN_OR_RETURN(node.ref, sub(*target, std::string(StringOf(value)).substr(1)));
    } else {
      return Status::InvalidArgument(at + ": keyword " + json::Quote(key) +
                                     " is not supported by this validator");
    }
  }
  return &node;
}

Status JsonSchema::Impl::Check(const Node& node, const Raw& v, const std::string& path) const {
  if (node.ref != nullptr) {
    GPS_RETURN_IF_ERROR(Check(*node.ref, v, path));
  }
  if (node.types != 0 && (TypeBits(v) & node.types) == 0) {
    return Status::InvalidArgument(path + ": expected " + TypeList(node.types) + ", got " +
                                   std::string(SchemaTypeName(v)));
  }
  if (node.enum_values != nullptr) {
    bool found = false;
    std::string allowed;
    for (const Raw& e : node.enum_values->GetArray()) {
      found = found || e == v;
      allowed += (allowed.empty() ? "" : ", ") + Describe(e);
    }
    if (!found) {
      return Status::InvalidArgument(path + ": " + Describe(v) + " is not one of " + allowed);
    }
  }
  if (v.IsString() && node.pattern) {
    std::string_view s = StringOf(v);
    if (s.size() > kMaxPatternInput) {
      return Status::InvalidArgument(path + ": a string of " + std::to_string(s.size()) +
                                     " bytes is too long (at most " +
                                     std::to_string(kMaxPatternInput) + ")");
    }
    if (!Search(*node.pattern, s)) {
      return Status::InvalidArgument(path + ": " + Describe(v) + " does not match the pattern " +
                                     json::Quote(node.pattern_source));
    }
  }
  if (v.IsNumber()) {
    const double d = v.GetDouble();
    if (node.minimum && d < *node.minimum) {
      return Status::InvalidArgument(path + ": " + Describe(v) + " is below the minimum " +
                                     FormatNumber(*node.minimum));
    }
    if (node.maximum && d > *node.maximum) {
      return Status::InvalidArgument(path + ": " + Describe(v) + " is above the maximum " +
                                     FormatNumber(*node.maximum));
    }
  }
  if (v.IsObject()) {
    GPS_RETURN_IF_ERROR(CheckObject(node, v, path));
  }
  if (v.IsArray() && node.items != nullptr) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      GPS_RETURN_IF_ERROR(Check(*node.items, v[i], JsonPathIndex(path, i)));
    }
  }
  if (!node.any_of.empty()) {
    std::string why;
    for (std::size_t i = 0; i < node.any_of.size(); ++i) {
      Status s = Check(*node.any_of[i], v, path);
      if (s.ok()) {
        return Status::Ok();
      }
      why += " (" + std::to_string(i + 1) + ") " + s.message();
    }
    return Status::InvalidArgument(path + ": fits none of the " +
                                   std::to_string(node.any_of.size()) + " allowed forms:" + why);
  }
  return Status::Ok();
}

Status JsonSchema::Impl::CheckObject(const Node& node, const Raw& v,
                                     const std::string& path) const {
  for (const std::string& name : node.required) {
    if (!v.HasMember(name.c_str())) {
      return Status::InvalidArgument(JsonPathChild(path, name) + ": missing (required)");
    }
  }
  for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
    const std::string_view name = StringOf(m->name);
    const std::string child = JsonPathChild(path, name);
    bool matched = false;
    if (auto it = node.properties.find(name); it != node.properties.end()) {
      matched = true;
      GPS_RETURN_IF_ERROR(Check(*it->second, m->value, child));
    }
    for (const Node::PatternProperty& p : node.pattern_properties) {
      if (Search(p.regex, name)) {
        matched = true;
        GPS_RETURN_IF_ERROR(Check(*p.schema, m->value, child));
      }
    }
    if (matched) {
      continue;
    }
    if (node.additional_schema != nullptr) {
      GPS_RETURN_IF_ERROR(Check(*node.additional_schema, m->value, child));
    } else if (!node.additional_allowed) {
      std::string allowed;
      for (const auto& [known, unused] : node.properties) {
        allowed += (allowed.empty() ? "" : ", ") + known;
      }
      for (const Node::PatternProperty& p : node.pattern_properties) {
        allowed += (allowed.empty() ? "names matching " : ", names matching ") + p.source;
      }
      return Status::InvalidArgument(child + ": not allowed here" +
                                     (allowed.empty() ? "" : " (allowed: " + allowed + ")"));
    }
  }
  return Status::Ok();
}

Result<JsonSchema> JsonSchema::Compile(std::string_view schema_json, std::string_view what) {
  auto impl = std::make_shared<Impl>();
  GPS_ASSIGN_OR_RETURN(impl->doc, json::ParseObject(schema_json, kMaxSchemaBytes, what));
  GPS_RETURN_IF_ERROR(impl->CompileNode(*impl->doc.Root().raw(), "", what).status());
  return JsonSchema(std::move(impl));
}

Status JsonSchema::Validate(const json::Value& instance, std::string_view pointer,
                            std::string_view instance_path) const {
  const Raw* at = impl_->Resolve(pointer);
  auto it = at == nullptr ? impl_->by_raw.end() : impl_->by_raw.find(at);
  if (it == impl_->by_raw.end()) {
    return Status::Internal("schema pointer " + json::Quote(pointer) + " names no schema");
  }
  return impl_->Check(*it->second, *instance.raw(), std::string(instance_path));
}

std::string JsonPathChild(std::string_view parent, std::string_view key) {
  bool plain = !key.empty();
  for (char c : key) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '$');
  }
  std::string out(parent);
  if (plain) {
    out += '.';
    out += key;
  } else {
    out += '[';
    out += json::Quote(key);
    out += ']';
  }
  return out;
}

std::string JsonPathIndex(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

}  // namespace gps::worker::hub
