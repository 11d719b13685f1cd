#include "ui/store/audit_log.h"

#include <gtest/gtest.h>

#include "gps/json/json.h"

namespace gps::ui {
namespace {

TEST(AuditEntryTest, EncodesEveryField) {
  AuditEntry e{Instant{1763880000123},
               "alice",
               "approve",
               std::string(64, 'a'),
               "gw-1",
               "conflict",
               "the name 'gw-1' is reserved for another device (<b>)"};
  Result<json::Document> doc = json::ParseObject(EncodeAuditEntry(e), 4096, "entry");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  json::Value v = doc->Root();
  EXPECT_EQ(v.GetString("at").value_or(""), "2025-11-23T06:40:00.123Z");
  EXPECT_EQ(v.GetString("actor").value_or(""), "alice");
  EXPECT_EQ(v.GetString("action").value_or(""), "approve");
  EXPECT_EQ(v.GetString("device").value_or(""), std::string(64, 'a'));
  EXPECT_EQ(v.GetString("name").value_or(""), "gw-1");
  EXPECT_EQ(v.GetString("outcome").value_or(""), "conflict");
  EXPECT_EQ(v.GetString("message").value_or(""), e.message);
}

}  // namespace
}  // namespace gps::ui
