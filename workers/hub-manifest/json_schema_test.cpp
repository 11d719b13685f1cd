#include "workers/hub-manifest/json_schema.h"

#include <gtest/gtest.h>

#include <string>

namespace gps::worker::hub {
namespace {

// A schema in the style of the IoT Edge deployment schemas, using every supported keyword.
constexpr std::string_view kSchema = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "test",
  "type": "object",
  "required": ["agent"],
  "properties": {
    "agent": {
      "type": "object",
      "required": ["properties.desired"],
      "properties": {
        "properties.desired": {
          "type": "object",
          "required": ["schemaVersion", "modules"],
          "properties": {
            "schemaVersion": {"type": "string", "pattern": "1.1"},
            "count": {"type": "integer", "minimum": 0, "maximum": 9},
            "ratio": {"type": ["number", "string"]},
            "tags": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
            "route": {"anyOf": [
              {"type": "string", "pattern": "^.+$"},
              {"type": "object", "required": ["route"],
               "properties": {"route": {"type": "string"}}, "additionalProperties": false}]},
            "modules": {
              "type": "object",
              "patternProperties": {"^[a-zA-Z0-9_-]+$": {"$ref": "#/definitions/module"}},
              "additionalProperties": false
            },
            "extra": {"type": "object", "additionalProperties": {"type": "boolean"}}
          },
          "additionalProperties": false
        }
      },
      "additionalProperties": false
    }
  },
  "additionalProperties": false,
  "definitions": {
    "status": {"enum": ["running", "stopped"]},
    "module": {
      "type": "object",
      "required": ["status"],
      "properties": {"status": {"$ref": "#/definitions/status"}, "examples": {"examples": [1]}},
      "additionalProperties": false
    }
  }
})";

JsonSchema Schema() {
  Result<JsonSchema> s = JsonSchema::Compile(kSchema, "test schema");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// The error of validating desired (the properties.desired object) under "agent".
std::string ErrorOf(std::string_view desired) {
  std::string text = R"({"agent":{"properties.desired":)" + std::string(desired) + "}}";
  Result<json::Document> doc = json::ParseObject(text, 1 << 16, "instance");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  Result<json::Value> agent = doc->Root().Get("agent");
  Status s = Schema().Validate(*agent, "/properties/agent", "modulesContent.$edgeAgent");
  if (s.ok()) {
    return "";
  }
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  return s.message();
}

constexpr std::string_view kValid =
    R"({"schemaVersion":"1.1","count":3,"ratio":0.5,"tags":["a","b"],"route":"FROM /* INTO $upstream",)"
    R"("modules":{"app_1":{"status":"running"}},"extra":{"x":true}})";

TEST(JsonSchemaTest, AcceptsAValidInstance) {
  EXPECT_EQ(ErrorOf(kValid), "");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"route":{"route":"FROM x"}})"), "");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"ratio":"half","count":9.0})"), "");
}

TEST(JsonSchemaTest, MissingRequiredPropertyNamesItsPath) {
  EXPECT_EQ(ErrorOf(R"({"modules":{}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].schemaVersion: missing (required))");
}

TEST(JsonSchemaTest, UnknownPropertyIsRefusedWithWhatIsAllowed) {
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"modulez":{}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].modulez: not allowed here )"
            R"((allowed: count, extra, modules, ratio, route, schemaVersion, tags))");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{"bad.name":{"status":"running"}}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].modules["bad.name"]: not allowed )"
            R"(here (allowed: names matching ^[a-zA-Z0-9_-]+$))");
}

TEST(JsonSchemaTest, TypeEnumAndPatternViolations) {
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":1.1,"modules":{}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].schemaVersion: expected string, )"
            R"(got number)");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"2.0","modules":{}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].schemaVersion: "2.0" does not )"
            R"(match the pattern "1.1")");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{"app":{"status":"runing"}}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].modules.app.status: "runing" is )"
            R"(not one of "running", "stopped")");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"ratio":true})"),
            R"(modulesContent.$edgeAgent["properties.desired"].ratio: expected string or number, )"
            R"(got boolean)");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"extra":{"y":"yes"}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].extra.y: expected boolean, got )"
            R"(string)");
}

TEST(JsonSchemaTest, IntegersAndBounds) {
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"count":1.5})"),
            R"(modulesContent.$edgeAgent["properties.desired"].count: expected integer, got )"
            R"(number)");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"count":-1})"),
            R"(modulesContent.$edgeAgent["properties.desired"].count: -1 is below the minimum 0)");
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"count":10})"),
            R"(modulesContent.$edgeAgent["properties.desired"].count: 10 is above the maximum 9)");
}

TEST(JsonSchemaTest, ArrayItemsCarryTheirIndex) {
  EXPECT_EQ(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"tags":["a","B"]})"),
            R"(modulesContent.$edgeAgent["properties.desired"].tags[1]: "B" does not match the )"
            R"(pattern "^[a-z]+$")");
}

TEST(JsonSchemaTest, AnyOfReportsEveryForm) {
  std::string e = ErrorOf(R"({"schemaVersion":"1.1","modules":{},"route":{"rout":"x"}})");
  EXPECT_EQ(e.rfind(R"(modulesContent.$edgeAgent["properties.desired"].route: fits none of the 2 )"
                    R"(allowed forms: (1) )",
                    0),
            0u)
      << e;
  EXPECT_NE(e.find("(2) "), std::string::npos) << e;
  EXPECT_NE(e.find(R"(route.route: missing (required))"), std::string::npos) << e;
  EXPECT_NE(ErrorOf(R"({"schemaVersion":"1.1","modules":{},"route":""})"), "");
}

TEST(JsonSchemaTest, OverlongStringsAreNotSearched) {
  std::string tag(5000, 'a');
  std::string e = ErrorOf(R"({"schemaVersion":"1.1","modules":{},"tags":[")" + tag + R"("]})");
  EXPECT_NE(e.find("tags[0]: a string of 5000 bytes is too long"), std::string::npos) << e;
}

TEST(JsonSchemaTest, RootPointerValidatesTheWholeDocument) {
  Result<json::Document> doc = json::ParseObject(R"({"other":{}})", 1024, "instance");
  ASSERT_TRUE(doc.ok());
  Status s = Schema().Validate(doc->Root(), "", "doc");
  EXPECT_EQ(s.message(), "doc.agent: missing (required)");
  EXPECT_TRUE(Schema().Validate(doc->Root(), "/properties/nothing", "doc").IsInternal());
}

TEST(JsonSchemaTest, UnsupportedKeywordsRefuseTheSchema) {
  for (std::string_view bad :
       {R"({"type":"object","oneOf":[{}]})", R"({"properties":{"a":{"exclusiveMinimum":true}}})",
        R"({"items":[{"type":"string"}]})", R"({"$ref":"other.json#/x"})",
        R"({"$ref":"#/definitions/missing"})", R"({"pattern":"("})", R"({"type":"float"})",
        R"({"enum":[]})"}) {
    Result<JsonSchema> s = JsonSchema::Compile(bad, "bad");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().message().rfind("bad", 0), 0u) << s.status().message();
  }
  Result<JsonSchema> s = JsonSchema::Compile(R"({"type":"object","oneOf":[{}]})", "bad");
  EXPECT_EQ(s.status().message(), R"(bad: #: keyword "oneOf" is not supported by this validator)");
}

TEST(JsonSchemaTest, RecursiveReferencesTerminate) {
  Result<JsonSchema> s = JsonSchema::Compile(
      R"({"$ref":"#/definitions/node","definitions":{"node":{"type":"object",)"
      R"("properties":{"child":{"$ref":"#/definitions/node"}},"additionalProperties":false}}})",
      "tree");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<json::Document> ok = json::ParseObject(R"({"child":{"child":{}}})", 1024, "i");
  Result<json::Document> bad = json::ParseObject(R"({"child":{"child":{"x":1}}})", 1024, "i");
  EXPECT_TRUE(s->Validate(ok->Root(), "", "t").ok());
  EXPECT_EQ(s->Validate(bad->Root(), "", "t").message(),
            "t.child.child.x: not allowed here (allowed: child)");
}

TEST(JsonPathTest, PlainKeysDotAndOthersAreQuoted) {
  EXPECT_EQ(JsonPathChild("m", "$edgeAgent"), "m.$edgeAgent");
  EXPECT_EQ(JsonPathChild("m", "properties.desired"), R"(m["properties.desired"])");
  EXPECT_EQ(JsonPathChild("m", "a\"b"), R"(m["a\"b"])");
  EXPECT_EQ(JsonPathChild("m", ""), R"(m[""])");
  EXPECT_EQ(JsonPathIndex("m.tags", 3), "m.tags[3]");
}

}  // namespace
}  // namespace gps::worker::hub
