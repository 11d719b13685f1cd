#include "fuzz/same_json.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>

#include "gps/json/json.h"

namespace gps::fuzz {

namespace {

bool CloseEnough(double a, double b) {
  double diff = std::fabs(a - b);
  // The floor covers subnormals, where a few units in the last place are a large ratio.
  return a == b || diff <= 1e-12 * std::max(std::fabs(a), std::fabs(b)) || diff < 1e-300;
}

bool Same(const json::RawValue& a, const json::RawValue& b) {
  if (a.IsNumber() && b.IsNumber()) {
    return (a.IsDouble() || b.IsDouble()) ? CloseEnough(a.GetDouble(), b.GetDouble()) : a == b;
  }
  if (a.GetType() != b.GetType()) {
    return false;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) {
      return false;
    }
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) {
      if (!Same(a[i], b[i])) {
        return false;
      }
    }
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) {
      return false;
    }
    for (auto ia = a.MemberBegin(), ib = b.MemberBegin(); ia != a.MemberEnd(); ++ia, ++ib) {
      if (ia->name != ib->name || !Same(ia->value, ib->value)) {
        return false;
      }
    }
    return true;
  }
  return a == b;
}

}  // namespace

bool SameJson(std::string_view a, std::string_view b) {
  Result<json::Document> da = json::Parse(a, a.size(), "a");
  Result<json::Document> db = json::Parse(b, b.size(), "b");
  return da.ok() && db.ok() && Same(*da->Root().raw(), *db->Root().raw());
}

}  // namespace gps::fuzz
