#include "gps/json/json.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <limits>

namespace gps::json {

namespace {

// Deeper documents are refused: Serialize() and RapidJSON's writer recurse once per level, so a
// 100000-deep array that the iterative parser accepted would still overflow the stack later.
// Nothing we exchange comes near this.
constexpr std::size_t kMaxDepth = 256;

// True when objects and arrays in text nest deeper than kMaxDepth. Exact for valid JSON; for
// invalid text any answer is fine, as the parser refuses it anyway.
bool NestsTooDeep(std::string_view text) {
  bool in_string = false;
  bool escaped = false;
  std::size_t depth = 0;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) {
        return true;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// Length of the well-formed UTF-8 sequence (RFC 3629) that starts at s[i], or 0 if none does.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) {
    return 1;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte, which rules out overlong forms,
  unsigned char hi = 0xBF;  // surrogates and code points above U+10FFFF
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b == 0xE0) {
    len = 3;
    lo = 0xA0;
  } else if (b == 0xED) {
    len = 3;
    hi = 0x9F;
  } else if (b >= 0xE1 && b <= 0xEF) {
    len = 3;
  } else if (b == 0xF0) {
    len = 4;
    lo = 0x90;
  } else if (b == 0xF4) {
    len = 4;
    hi = 0x8F;
  } else if (b >= 0xF1 && b <= 0xF3) {
    len = 4;
  } else {
    return 0;
  }
  if (i + len > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) {
    return 0;
  }
  for (std::size_t k = 2; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
  }
  return len;
}

// Length of the longest prefix of s that is well-formed UTF-8.
std::size_t ValidUtf8Prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      break;
    }
    i += n;
  }
  return i;
}

bool IsValidUtf8(const RawValue& string) {
  std::string_view s(string.GetString(), string.GetStringLength());
  return ValidUtf8Prefix(s) == s.size();
}

// Why the values in v could not be written out again as the JSON they were read from, or "" when
// they can. RapidJSON validates the bytes of the text, but
//  - it turns a \u escape of an unpaired low surrogate (\udc00-\udfff) into that surrogate's
//    three bytes, which are not UTF-8;
//  - it reads a number beyond the range of a double whose exponent it allows (2e308) as infinity,
//    which its writer refuses, leaving a cut-off text.
// Either would be accepted here and then, once we serialise it (a result's data, a job's facts),
// refused by the next parser. Recursion is bounded: Parse refuses nesting deeper than kMaxDepth
// first.
std::string_view Unwritable(const RawValue& v) {
  if (v.IsString() && !IsValidUtf8(v)) {
    return "a \\u escape of an unpaired surrogate";
  }
  if (v.IsDouble() && !std::isfinite(v.GetDouble())) {
    return "a number beyond the range of a double";
  }
  if (v.IsArray()) {
    for (const RawValue& item : v.GetArray()) {
      if (std::string_view why = Unwritable(item); !why.empty()) {
        return why;
      }
    }
  }
  if (v.IsObject()) {
    for (const auto& member : v.GetObject()) {
      if (std::string_view why = Unwritable(member.name); !why.empty()) {
        return why;
      }
      if (std::string_view why = Unwritable(member.value); !why.empty()) {
        return why;
      }
    }
  }
  return "";
}

// s, or a copy in *scratch with each byte that is not part of well-formed UTF-8 replaced by '?'.
// Text from outside (an HTTP body cut at a byte limit, a device's payload) must not make what we
// write invalid JSON; the length is kept so byte limits checked on the input still hold.
std::string_view ValidUtf8(std::string_view s, std::string* scratch) {
  std::size_t i = ValidUtf8Prefix(s);
  if (i == s.size()) {
    return s;
  }
  scratch->assign(s.substr(0, i));
  while (i < s.size()) {
    std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      scratch->push_back('?');
      ++i;
    } else {
      scratch->append(s.substr(i, n));
      i += n;
    }
  }
  return *scratch;
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  std::string p = parent;
  p += '.';
  p += key;
  return p;
}

std::string IndexPath(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

const RawValue* FindMember(const RawValue* obj, std::string_view key) {
  if (obj == nullptr || !obj->IsObject()) {
    return nullptr;
  }
  auto it = obj->FindMember(rapidjson::Value(
      rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == obj->MemberEnd() ? nullptr : &it->value;
}

}  // namespace

bool Value::IsObject() const { return raw_->IsObject(); }
bool Value::IsArray() const { return raw_->IsArray(); }
bool Value::IsString() const { return raw_->IsString(); }
bool Value::IsNull() const { return raw_->IsNull(); }

std::string_view TypeName(const RawValue& raw) {
  switch (raw.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "unknown";
}

std::string_view Value::TypeName() const { return json::TypeName(*raw_); }

Status Value::TypeError(std::string_view expected) const {
  return Status::InvalidArgument(path_ + ": expected " + std::string(expected) + ", got " +
                                 std::string(TypeName()));
}

bool Value::Has(std::string_view key) const { return FindMember(raw_, key) != nullptr; }

Result<Value> Value::Get(std::string_view key) const {
  if (!raw_->IsObject()) {
    return TypeError("object");
  }
  const RawValue* child = FindMember(raw_, key);
  if (child == nullptr) {
    return Status::InvalidArgument(ChildPath(path_, key) + ": missing");
  }
  return Value(child, ChildPath(path_, key));
}

std::optional<Value> Value::Find(std::string_view key) const {
  const RawValue* child = FindMember(raw_, key);
  if (child == nullptr || child->IsNull()) {
    return std::nullopt;
  }
  return Value(child, ChildPath(path_, key));
}

Result<std::string> Value::AsString(std::size_t max_len) const {
  if (!raw_->IsString()) {
    return TypeError("string");
  }
  if (raw_->GetStringLength() > max_len) {
    return Status::InvalidArgument(path_ + ": string of " +
                                   std::to_string(raw_->GetStringLength()) +
                                   " bytes exceeds the limit of " + std::to_string(max_len));
  }
  return std::string(raw_->GetString(), raw_->GetStringLength());
}

Result<std::int64_t> Value::AsInt() const {
  if (raw_->IsInt64()) {
    return raw_->GetInt64();
  }
  // RapidJSON keeps an integer above INT64_MAX as uint64 and one below INT64_MIN, or any number
  // with an exponent, as a double: say which of those it was rather than "not an integer".
  if (raw_->IsUint64() ||
      (raw_->IsDouble() && std::fabs(raw_->GetDouble()) >= 9223372036854775808.0)) {
    return Status::InvalidArgument(path_ + ": integer out of range (64-bit signed)");
  }
  if (raw_->IsNumber()) {
    return Status::InvalidArgument(path_ + ": expected an integer, got a non-integer number");
  }
  return TypeError("integer");
}

Result<std::vector<Value>> Value::AsArray() const {
  if (!raw_->IsArray()) {
    return TypeError("array");
  }
  std::vector<Value> out;
  out.reserve(raw_->Size());
  for (rapidjson::SizeType i = 0; i < raw_->Size(); ++i) {
    out.emplace_back(&(*raw_)[i], IndexPath(path_, i));
  }
  return out;
}

Result<std::vector<std::pair<std::string, Value>>> Value::Members() const {
  if (!raw_->IsObject()) {
    return TypeError("object");
  }
  std::vector<std::pair<std::string, Value>> out;
  for (auto it = raw_->MemberBegin(); it != raw_->MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    out.emplace_back(key, Value(&it->value, ChildPath(path_, key)));
  }
  return out;
}

Result<std::string> Value::GetString(std::string_view key, std::size_t max_len) const {
  GPS_ASSIGN_OR_RETURN(Value v, Get(key));
  return v.AsString(max_len);
}

Result<std::string> Value::GetStringOr(std::string_view key, std::string fallback,
                                       std::size_t max_len) const {
  if (!raw_->IsObject()) {
    return TypeError("object");
  }
  std::optional<Value> v = Find(key);
  if (!v) {
    return fallback;
  }
  return v->AsString(max_len);
}

Result<std::int64_t> Value::GetInt(std::string_view key) const {
  GPS_ASSIGN_OR_RETURN(Value v, Get(key));
  return v.AsInt();
}

Result<std::int64_t> Value::GetIntOr(std::string_view key, std::int64_t fallback) const {
  if (!raw_->IsObject()) {
    return TypeError("object");
  }
  std::optional<Value> v = Find(key);
  if (!v) {
    return fallback;
  }
  return v->AsInt();
}

Result<bool> Value::GetBool(std::string_view key) const {
  GPS_ASSIGN_OR_RETURN(Value v, Get(key));
  if (!v.raw_->IsBool()) {
    return v.TypeError("boolean");
  }
  return v.raw_->GetBool();
}

Result<bool> Value::GetBoolOr(std::string_view key, bool fallback) const {
  if (!raw_->IsObject()) {
    return TypeError("object");
  }
  std::optional<Value> v = Find(key);
  if (!v) {
    return fallback;
  }
  if (!v->raw_->IsBool()) {
    return v->TypeError("boolean");
  }
  return v->raw_->GetBool();
}

Result<Value> Value::GetObject(std::string_view key) const {
  GPS_ASSIGN_OR_RETURN(Value v, Get(key));
  if (!v.IsObject()) {
    return v.TypeError("object");
  }
  return v;
}

Result<std::vector<Value>> Value::GetArray(std::string_view key) const {
  GPS_ASSIGN_OR_RETURN(Value v, Get(key));
  return v.AsArray();
}

std::string Value::Serialize() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  raw_->Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

struct Document::Impl {
  rapidjson::Document doc;
};

Document::Document() : impl_(std::make_unique<Impl>()) {}
Document::~Document() = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;

Value Document::Root() const { return Value(&impl_->doc, what_); }

Result<Document> Parse(std::string_view text, std::size_t max_bytes, std::string_view what) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(text.size()) +
                                   " bytes exceeds the limit of " + std::to_string(max_bytes));
  }
  if (text.size() > std::numeric_limits<rapidjson::SizeType>::max()) {
    return Status::InvalidArgument(std::string(what) + ": too large");
  }
  // A raw NUL is never valid JSON, and RapidJSON would take it for the end of the text and
  // ignore whatever follows it.
  if (std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + ": not valid JSON: NUL byte at offset " +
                                   std::to_string(nul));
  }
  if (NestsTooDeep(text)) {
    return Status::InvalidArgument(std::string(what) + ": nested deeper than " +
                                   std::to_string(kMaxDepth) + " levels");
  }
  Document out;
  out.what_ = std::string(what);
  // Iterative parsing keeps deeply nested hostile input from exhausting the stack; encoding
  // validation refuses invalid UTF-8 instead of storing it. Numbers are read the default way:
  // integers exactly, others to within a few units in the last place. RapidJSON 1.1's
  // full-precision reading is not used: it has undefined behaviour on "0e100"
  // (Tencent/rapidjson#1249) and misreads some long fractions (Tencent/rapidjson#2326).
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult ok = out.impl_->doc.Parse<kFlags>(text.data(), text.size());
  if (!ok) {
    return Status::InvalidArgument(std::string(what) +
                                   ": not valid JSON: " + rapidjson::GetParseError_En(ok.Code()) +
                                   " at offset " + std::to_string(ok.Offset()));
  }
  if (std::string_view why = Unwritable(out.impl_->doc); !why.empty()) {
    return Status::InvalidArgument(std::string(what) + ": not valid JSON: " + std::string(why));
  }
  return out;
}

Result<Document> ParseObject(std::string_view text, std::size_t max_bytes, std::string_view what) {
  GPS_ASSIGN_OR_RETURN(Document doc, Parse(text, max_bytes, what));
  if (!doc.Root().IsObject()) {
    return Status::InvalidArgument(std::string(what) + ": expected a JSON object, got " +
                                   std::string(doc.Root().TypeName()));
  }
  return doc;
}

struct Writer::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

Writer::Writer() : impl_(std::make_unique<Impl>()) {}
Writer::~Writer() = default;

Writer& Writer::BeginObject() {
  impl_->writer.StartObject();
  return *this;
}
Writer& Writer::EndObject() {
  impl_->writer.EndObject();
  return *this;
}
Writer& Writer::BeginArray() {
  impl_->writer.StartArray();
  return *this;
}
Writer& Writer::EndArray() {
  impl_->writer.EndArray();
  return *this;
}
Writer& Writer::Key(std::string_view key) {
  std::string scratch;
  key = ValidUtf8(key, &scratch);
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), true);
  return *this;
}
Writer& Writer::String(std::string_view s) {
  std::string scratch;
  s = ValidUtf8(s, &scratch);
  impl_->writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()), true);
  return *this;
}
Writer& Writer::Int(std::int64_t v) {
  impl_->writer.Int64(v);
  return *this;
}
Writer& Writer::Bool(bool v) {
  impl_->writer.Bool(v);
  return *this;
}
Writer& Writer::Null() {
  impl_->writer.Null();
  return *this;
}
Writer& Writer::Raw(std::string_view json) {
  impl_->writer.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  return *this;
}

std::string Writer::Take() {
  std::string out(impl_->buffer.GetString(), impl_->buffer.GetSize());
  impl_->buffer.Clear();
  impl_->writer.Reset(impl_->buffer);
  return out;
}

std::string Quote(std::string_view s) {
  std::string scratch;
  s = ValidUtf8(s, &scratch);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()), true);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace gps::json
