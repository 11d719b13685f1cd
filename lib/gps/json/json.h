#pragma once
// JSON for the whole project: a size-limited, UTF-8-validating parser with typed getters that name
// the failing field, and a small writer.
//
// Only this module and its users' .cpp files see RapidJSON. A Value is a non-owning view into a
// Document; it must not outlive the Document it came from. Neither type is thread-safe for writes;
// const views may be read from several threads.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gps/core/result.h"

#include <rapidjson/fwd.h>

namespace gps::json {

using RawValue = rapidjson::Value;

// Strings longer than this are refused unless a getter is given its own limit.
inline constexpr std::size_t kDefaultMaxString = 4096;

// The JSON type of a value as error messages name it: null, boolean, object, array, string or
// number.
std::string_view TypeName(const RawValue& raw);

class Value {
 public:
  Value(const RawValue* raw, std::string path) : raw_(raw), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  bool IsObject() const;
  bool IsArray() const;
  bool IsString() const;
  bool IsNull() const;
  std::string_view TypeName() const;

  // Object access. Has() is true for a present key, even when its value is null.
  bool Has(std::string_view key) const;
  Result<Value> Get(std::string_view key) const;
  std::optional<Value> Find(std::string_view key) const;  // absent or null -> nullopt

  Result<std::string> GetString(std::string_view key,
                                std::size_t max_len = kDefaultMaxString) const;
  // Absent or null gives fallback; present with another type is an error.
  Result<std::string> GetStringOr(std::string_view key, std::string fallback,
                                  std::size_t max_len = kDefaultMaxString) const;
  Result<std::int64_t> GetInt(std::string_view key) const;
  Result<std::int64_t> GetIntOr(std::string_view key, std::int64_t fallback) const;
  Result<bool> GetBool(std::string_view key) const;
  Result<bool> GetBoolOr(std::string_view key, bool fallback) const;
  Result<Value> GetObject(std::string_view key) const;
  Result<std::vector<Value>> GetArray(std::string_view key) const;
  // Members of an object, in document order.
  Result<std::vector<std::pair<std::string, Value>>> Members() const;

  // The value itself.
  Result<std::string> AsString(std::size_t max_len = kDefaultMaxString) const;
  Result<std::int64_t> AsInt() const;
  Result<std::vector<Value>> AsArray() const;

  // Compact JSON text of this value (for storing a sub-document verbatim). Strings and integers
  // come out exactly as read; other numbers may move in their last digits, as Parse() reads them
  // to within a few units in the last place.
  std::string Serialize() const;

  const RawValue* raw() const { return raw_; }

 private:
  Status TypeError(std::string_view expected) const;

  const RawValue* raw_;
  std::string path_;
};

class Document {
 public:
  Document();
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // A view of the root; `what` names the document in error messages ("announce").
  Value Root() const;

 private:
  friend Result<Document> Parse(std::string_view, std::size_t, std::string_view);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string what_;
};

// Parses text of at most max_bytes, validating UTF-8 and refusing trailing garbage and nesting
// deeper than 256 levels.
// Errors read "<what>: ...", e.g. "announce: not JSON: Invalid value at offset 0".
Result<Document> Parse(std::string_view text, std::size_t max_bytes, std::string_view what);
// As Parse, and the root must be an object.
Result<Document> ParseObject(std::string_view text, std::size_t max_bytes, std::string_view what);

// Writer builds compact JSON. Field() writes a key and its value inside an object.
// Keys and strings that are not valid UTF-8 are written with each offending byte replaced by
// '?' (same length), so the output always parses.
class Writer {
 public:
  Writer();
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Writer& BeginObject();
  Writer& EndObject();
  Writer& BeginArray();
  Writer& EndArray();
  Writer& Key(std::string_view key);
  Writer& String(std::string_view s);
  Writer& Int(std::int64_t v);
  Writer& Bool(bool v);
  Writer& Null();
  // Inserts already-serialised JSON as a value. REQUIRES: json is one valid JSON value.
  Writer& Raw(std::string_view json);

  Writer& Field(std::string_view key, std::string_view s) { return Key(key).String(s); }
  Writer& Field(std::string_view key, const std::string& s) { return Key(key).String(s); }
  Writer& Field(std::string_view key, const char* s) { return Key(key).String(s); }
  Writer& Field(std::string_view key, std::int64_t v) { return Key(key).Int(v); }
  Writer& Field(std::string_view key, int v) { return Key(key).Int(v); }
  Writer& Field(std::string_view key, bool v) { return Key(key).Bool(v); }

  // The text written so far. The writer can be reused after Take().
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Escapes s as a JSON string literal including the quotes (invalid UTF-8 bytes become '?').
std::string Quote(std::string_view s);

}  // namespace gps::json
