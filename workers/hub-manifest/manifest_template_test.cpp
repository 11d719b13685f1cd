#include "workers/hub-manifest/manifest_template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gps/json/json.h"
#include "workers/hub-manifest/hub_test_support.h"

namespace gps::worker::hub {
namespace {

using testing::kTemplate;
using testing::TempFile;

const std::string kDeviceId(64, 'c');

// kTemplate with from (which must occur) replaced by to.
std::string Edit(std::string_view from, std::string_view to, std::string text = "") {
  if (text.empty()) {
    text = std::string(kTemplate);
  }
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string ParseError(std::string_view text) {
  Result<ManifestTemplate> t = ManifestTemplate::Parse(text);
  EXPECT_FALSE(t.ok());
  return t.ok() ? "" : t.status().message();
}

TemplateValues Values() { return TemplateValues{"gw-berlin-0042", kDeviceId, ""}; }

TEST(ManifestTemplateTest, TheMinimalManifestOfTheReferenceIsValid) {
  Result<ManifestTemplate> t = ManifestTemplate::Parse(kTemplate);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_TRUE(t->Uses("DEVICE_NAME"));
  EXPECT_TRUE(t->Uses("DEVICE_ID"));
  EXPECT_FALSE(t->Uses("MENDER_DEVICE_ID"));
  EXPECT_FALSE(t->Uses("NOT_A_NAME"));
  EXPECT_EQ(t->agent_schema_version(), "1.1");
  EXPECT_EQ(t->hub_schema_version(), "1.1");
}

TEST(ManifestTemplateTest, RenderFillsInStringValuesAndKeepsEverythingElse) {
  ManifestTemplate t = ManifestTemplate::Parse(kTemplate).value();
  Result<std::string> body = t.Render(Values());
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  Result<json::Document> doc = json::ParseObject(*body, 1 << 20, "body");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  json::Value modules = doc->Root().GetObject("modulesContent").value();
  json::Value desired =
      modules.GetObject("$edgeAgent").value().GetObject("properties.desired").value();
  json::Value app = desired.GetObject("modules").value().GetObject("gatewayapp").value();
  EXPECT_EQ(app.GetObject("settings").value().GetString("createOptions").value(),
            R"({"Hostname":"gw-berlin-0042"})");
  json::Value env = app.GetObject("env").value();
  EXPECT_EQ(env.GetObject("GATEWAY").value().GetString("value").value(), "gw-berlin-0042");
  EXPECT_EQ(env.GetObject("SITE").value().GetString("value").value(), "berlin");
  EXPECT_EQ(env.GetObject("PORT").value().GetInt("value").value(), 8080);
  EXPECT_EQ(modules.GetObject("$edgeHub")
                .value()
                .GetObject("properties.desired")
                .value()
                .GetObject("routes")
                .value()
                .GetString("upstream")
                .value(),
            "FROM /messages/* INTO $upstream");
  EXPECT_NE(
      body->find(R"("gatewayapp":{"properties.desired":{"setting":1,"gpsDeviceId":")" + kDeviceId +
                 R"(","ratio":0.25,"on":true,"none":null,"list":["gw-berlin-0042",2]}})"),
      std::string::npos)
      << *body;
  // The edgeHub createOptions, a JSON string with quotes inside, comes out as it went in.
  EXPECT_NE(body->find(R"(\"5671/tcp\":[{\"HostPort\":\"5671\"}])"), std::string::npos);
}

TEST(ManifestTemplateTest, DollarBraceCanBeWrittenLiterally) {
  ManifestTemplate t =
      ManifestTemplate::Parse(Edit(R"("SITE": {"value": "berlin"})",
                                   R"("SITE": {"value": "$${DEVICE_NAME} costs $$ and $"})"))
          .value();
  Result<std::string> body = t.Render(Values());
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_NE(body->find(R"("SITE":{"value":"${DEVICE_NAME} costs $$ and $"})"), std::string::npos)
      << *body;
}

TEST(ManifestTemplateTest, MenderDeviceIdComesFromTheValuesWhenUsed) {
  ManifestTemplate t = ManifestTemplate::Parse(Edit(R"("SITE": {"value": "berlin"})",
                                                    R"("SITE": {"value": "${MENDER_DEVICE_ID}"})"))
                           .value();
  EXPECT_TRUE(t.Uses("MENDER_DEVICE_ID"));
  TemplateValues v = Values();
  Result<std::string> missing = t.Render(v);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "${MENDER_DEVICE_ID}: the template uses it and this device has no value");
  v.mender_device_id = "5c4ad8e1-6f0a-4a8c-9e0e-1f2a3b4c5d6e";
  Result<std::string> body = t.Render(v);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_NE(body->find(R"("SITE":{"value":"5c4ad8e1-6f0a-4a8c-9e0e-1f2a3b4c5d6e"})"),
            std::string::npos);
}

TEST(ManifestTemplateTest, ValuesThatCouldBreakTheJsonAreRefused) {
  ManifestTemplate t = ManifestTemplate::Parse(Edit(R"("SITE": {"value": "berlin"})",
                                                    R"("SITE": {"value": "${MENDER_DEVICE_ID}"})"))
                           .value();
  for (const std::string& bad : std::vector<std::string>{"gw\"1", "gw\\1", "GW-1", "gw 1",
                                                         "gw-1\"}}", std::string("gw\0", 3)}) {
    TemplateValues v = Values();
    v.device_name = bad;
    v.mender_device_id = "ok";
    Result<std::string> r = t.Render(v);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("${DEVICE_NAME}", 0), 0u) << r.status().message();
  }
  for (const std::string& bad :
       std::vector<std::string>{"a\"b", "a\\b", "a}b", "a b", std::string(65, 'a')}) {
    TemplateValues v = Values();
    v.mender_device_id = bad;
    Result<std::string> r = t.Render(v);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("${MENDER_DEVICE_ID}: not a Mender device id", 0), 0u)
        << r.status().message();
  }
  TemplateValues v = Values();
  v.device_id = "ABC";
  EXPECT_FALSE(t.Render(v).ok());
}

TEST(ManifestTemplateTest, PlaceholderMistakesNameTheirPath) {
  EXPECT_EQ(ParseError(Edit(R"("setting": 1)", R"("setting": "${DEVICE}")")),
            R"(modulesContent.gatewayapp["properties.desired"].setting: unknown placeholder )"
            R"(${DEVICE} (known: ${DEVICE_NAME}, ${DEVICE_ID}, ${MENDER_DEVICE_ID}; "$${" is a )"
            R"(literal "${"))");
  EXPECT_EQ(ParseError(Edit(R"("setting": 1)", R"("setting": "x-${DEVICE_NAME")")),
            R"(modulesContent.gatewayapp["properties.desired"].setting: "${" without its "}" )"
            R"((write "$${" for a literal "${"))");
  EXPECT_EQ(ParseError(Edit(R"("setting": 1)", R"("${DEVICE_NAME}": 1)")),
            R"(modulesContent.gatewayapp["properties.desired"]["${DEVICE_NAME}"]: placeholders )"
            R"(are filled in in string values only, not in keys)");
  EXPECT_EQ(ParseError(Edit(R"("list": ["${DEVICE_NAME}", 2])", R"("list": [1, "${X}"])"))
                .rfind(R"(modulesContent.gatewayapp["properties.desired"].list[1]: unknown)", 0),
            0u);
}

TEST(ManifestTemplateTest, SchemaViolationsNameTheirPath) {
  EXPECT_EQ(ParseError(Edit(R"("status": "running", "restartPolicy": "always",
        "settings": {"image": "myacr)",
                            R"("status": "runing", "restartPolicy": "always",
        "settings": {"image": "myacr)")),
            R"(modulesContent.$edgeAgent["properties.desired"].modules.gatewayapp.status: )"
            R"("runing" is not one of "running", "stopped")");
  EXPECT_EQ(
      ParseError(Edit(R"("createOptions": "{\"Hostname\":\"${DEVICE_NAME}\"}")",
                      R"("createOptions": {"Hostname": "x"})")),
      R"(modulesContent.$edgeAgent["properties.desired"].modules.gatewayapp.settings.createOptions: )"
      R"(expected string, got object)");
  EXPECT_EQ(
      ParseError(Edit(R"("minDockerVersion": "v1.25",)", R"("minDockerVersion": "v1.25",
      "debug": true,)")),
      R"(modulesContent.$edgeAgent["properties.desired"].runtime.settings.debug: not allowed )"
      R"(here (allowed: loggingOptions, minDockerVersion, registryCredentials))");
  EXPECT_EQ(ParseError(Edit(R"("routes": {"upstream": "FROM /messages/* INTO $upstream"})",
                            R"("routes": {"upstream": ""})")),
            R"(modulesContent.$edgeHub["properties.desired"].routes.upstream: fits none of the 2 )"
            R"(allowed forms: (1) modulesContent.$edgeHub["properties.desired"].routes.upstream: )"
            R"(expected object, got string (2) modulesContent.$edgeHub["properties.desired"].)"
            R"(routes.upstream: "" does not match the pattern "^.+$")");
  // A placeholder where only fixed words fit fails with the sample values already.
  EXPECT_EQ(ParseError(Edit(R"("type": "docker", "status": "running")",
                            R"("type": "${DEVICE_NAME}", "status": "running")")),
            R"(modulesContent.$edgeAgent["properties.desired"].systemModules.edgeHub.type: )"
            R"("gw-sample-0001" is not one of "docker")");
}

TEST(ManifestTemplateTest, SchemaVersionPicksTheSchema) {
  // The 1.0 agent schema leaves module objects open; 1.1 knows imagePullPolicy and its values.
  std::string agent10 = Edit(R"("schemaVersion": "1.1",
    "runtime")",
                             R"("schemaVersion": "1.0",
    "runtime")");
  EXPECT_TRUE(ManifestTemplate::Parse(agent10).ok());
  EXPECT_EQ(ManifestTemplate::Parse(agent10).value().agent_schema_version(), "1.0");
  const std::string_view module_start = R"("version": "1.0", "type": "docker")";
  EXPECT_TRUE(ManifestTemplate::Parse(
                  Edit(module_start,
                       R"("version": "1.0", "imagePullPolicy": "on-create", "type": "docker")"))
                  .ok());
  EXPECT_TRUE(
      ManifestTemplate::Parse(
          Edit(module_start, R"("version": "1.0", "imagePullPolicy": "often", "type": "docker")",
               agent10))
          .ok());
  EXPECT_NE(ParseError(Edit(module_start,
                            R"("version": "1.0", "imagePullPolicy": "often", "type": "docker")"))
                .find(R"(gatewayapp.imagePullPolicy: "often" is not one of "never", "on-create")"),
            std::string::npos);

  // Hub 1.0 takes string routes only; 1.2 adds mqttBroker.
  std::string hub10 = Edit(R"("schemaVersion": "1.1",
    "routes")",
                           R"("schemaVersion": "1.0",
    "routes")");
  EXPECT_TRUE(ManifestTemplate::Parse(hub10).ok());
  EXPECT_NE(
      ParseError(Edit(R"("upstream": "FROM /messages/* INTO $upstream")",
                      R"("upstream": {"route": "FROM /* INTO $upstream", "priority": 1})", hub10))
          .find("routes.upstream: expected string, got object"),
      std::string::npos);
  std::string hub11_object_route =
      Edit(R"("upstream": "FROM /messages/* INTO $upstream")",
           R"("upstream": {"route": "FROM /* INTO $upstream", "priority": 1})");
  EXPECT_TRUE(ManifestTemplate::Parse(hub11_object_route).ok());
  EXPECT_NE(ParseError(Edit(R"("priority": 1)", R"("priority": 10)", hub11_object_route))
                .find("routes.upstream: fits none"),
            std::string::npos);
  std::string hub12 = Edit(R"("storeAndForwardConfiguration")",
                           R"("mqttBroker": {"authorizations": [{"identities": ["{{iot:identity}}"],
      "allow": [{"operations": ["mqtt:connect"]}]}]},
    "storeAndForwardConfiguration")",
                           Edit(R"("schemaVersion": "1.1",
    "routes")",
                                R"("schemaVersion": "1.2",
    "routes")"));
  Result<ManifestTemplate> t12 = ManifestTemplate::Parse(hub12);
  ASSERT_TRUE(t12.ok()) << t12.status().ToString();
  EXPECT_EQ(t12->hub_schema_version(), "1.2");
  EXPECT_EQ(
      ParseError(Edit(R"("mqtt:connect")", R"("mqtt:dance")", hub12)),
      R"(modulesContent.$edgeHub["properties.desired"].mqttBroker.authorizations[0].allow[0].)"
      R"(operations[0]: "mqtt:dance" does not match the pattern )"
      R"("^mqtt:connect$|^mqtt:subscribe$|^mqtt:publish$")");

  EXPECT_EQ(ParseError(Edit(R"("schemaVersion": "1.1",
    "routes")",
                            R"("schemaVersion": "2.0",
    "routes")")),
            R"(modulesContent.$edgeHub["properties.desired"].schemaVersion: "2.0" is not a )"
            R"(schemaVersion this worker can check (1.0, 1.1, 1.2))");
  EXPECT_EQ(ParseError(Edit(R"("schemaVersion": "1.1",
    "runtime")",
                            R"("runtime")")),
            R"(modulesContent.$edgeAgent["properties.desired"].schemaVersion: missing (required))");
}

TEST(ManifestTemplateTest, TheFileHasTheShapeOfTheRequestBody) {
  EXPECT_EQ(ParseError(R"({"modulesContent": {}, "deviceContent": {}})"),
            R"(deviceContent: not allowed here (the template is {"modulesContent": {...}}))");
  EXPECT_EQ(ParseError(R"({"$edgeAgent": {"properties.desired": {}}})"),
            R"($edgeAgent: not allowed here (the template is {"modulesContent": {...}}))");
  EXPECT_EQ(ParseError(R"({})"), R"(modulesContent: missing (the template is )"
                                 R"({"modulesContent": {...}}))");
  EXPECT_EQ(ParseError(R"({"modulesContent": []})"), "modulesContent: expected object, got array");
  EXPECT_EQ(ParseError(R"({"modulesContent": {"$edgeAgent": {"properties.desired": {}}}})"),
            R"(modulesContent.$edgeAgent["properties.desired"].schemaVersion: missing (required))");
  EXPECT_EQ(ParseError(Edit(R"("$edgeHub": {"properties.desired": {
    "schemaVersion": "1.1",
    "routes": {"upstream": "FROM /messages/* INTO $upstream"},
    "storeAndForwardConfiguration": {"timeToLiveSecs": 7200}}},)",
                            "")),
            "modulesContent.$edgeHub: missing (required)");
  EXPECT_EQ(ParseError(Edit(R"("gatewayapp": {"properties.desired": {"setting")",
                            R"("gatewayapp": {"desired": {"setting")")),
            R"(modulesContent.gatewayapp: a module's entry is {"properties.desired": {...}})");
  EXPECT_EQ(ParseError("[1]"), "template: expected a JSON object, got array");
  EXPECT_EQ(ParseError("{").rfind("template: not valid JSON", 0), 0u);
}

TEST(ManifestTemplateTest, LoadNamesTheFile) {
  TempFile good(kTemplate);
  Result<ManifestTemplate> t = ManifestTemplate::Load(good.path());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(t->empty());

  TempFile bad(Edit(R"("restartPolicy": "always",
        "settings": {"image": "myacr)",
                    R"("restartPolicy": "sometimes",
        "settings": {"image": "myacr)"));
  Result<ManifestTemplate> b = ManifestTemplate::Load(bad.path());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(),
            bad.path() + R"(: modulesContent.$edgeAgent["properties.desired"].modules.gatewayapp.)"
                         R"(restartPolicy: "sometimes" is not one of "never", "on-failure", )"
                         R"("on-unhealthy", "always")");

  Result<ManifestTemplate> missing = ManifestTemplate::Load("/nonexistent/manifest.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/manifest.json"), std::string::npos);
}

TEST(ManifestTemplateTest, AnEmptyTemplateRendersNothing) {
  ManifestTemplate t;
  EXPECT_TRUE(t.empty());
  EXPECT_FALSE(t.Render(Values()).ok());
  EXPECT_FALSE(t.Uses("DEVICE_NAME"));
}

}  // namespace
}  // namespace gps::worker::hub
