#include "gps/config/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace gps::config {
namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gps-config-test-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

Lookup EnvOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

struct TestConfig {
  std::string mqtt_uri;
  std::string password;
  int port = 0;
  std::int64_t budget_ms = 0;
  bool verbose = false;
  std::vector<std::string> hosts;
};

class ConfigTest : public testing::Test {
 protected:
  ConfigTest() : table_("gps-test", "exercises the config table") {
    table_.Add("GPS_MQTT_URI", &config_.mqtt_uri, "tcp://127.0.0.1:1883", "MQTT broker URI");
    table_.AddSecret("GPS_MQTT_PASSWORD", &config_.password, "MQTT password");
    table_.Add("GPS_PORT", &config_.port, 8080, "HTTP listen port", 1, 65535);
    table_.Add("GPS_BUDGET_MS", &config_.budget_ms, std::int64_t{30000}, "time budget in ms",
               std::int64_t{0}, std::int64_t{86'400'000'000});
    table_.Add("GPS_VERBOSE", &config_.verbose, false, "log at debug level");
    table_.AddList("GPS_HOSTS", &config_.hosts, {"a.example", "b.example"}, "hosts to try");
  }

  Result<Table::Outcome> Load(std::vector<std::string> args,
                              std::map<std::string, std::string> env = {}) {
    return table_.Load(args, EnvOf(std::move(env)));
  }

  // Loads and expects an InvalidArgument that mentions every one of `needles`.
  void ExpectError(std::vector<std::string> args, std::map<std::string, std::string> env,
                   std::vector<std::string> needles) {
    Result<Table::Outcome> r = Load(std::move(args), std::move(env));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
    for (const std::string& needle : needles) {
      EXPECT_NE(r.status().message().find(needle), std::string::npos)
          << "'" << needle << "' not in: " << r.status().message();
    }
  }

  TempDir dir_;
  TestConfig config_;
  Table table_;
};

TEST_F(ConfigTest, DefaultsApplyWithoutAnySource) {
  Result<Table::Outcome> r = Load({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Table::Outcome::kRun);
  EXPECT_EQ(config_.mqtt_uri, "tcp://127.0.0.1:1883");
  EXPECT_EQ(config_.password, "");
  EXPECT_EQ(config_.port, 8080);
  EXPECT_EQ(config_.budget_ms, 30000);
  EXPECT_FALSE(config_.verbose);
  EXPECT_EQ(config_.hosts, (std::vector<std::string>{"a.example", "b.example"}));
}

TEST_F(ConfigTest, EnvironmentSetsEveryKindOfSetting) {
  ASSERT_TRUE(Load({}, {{"GPS_MQTT_URI", "tcp://broker:1883"},
                        {"GPS_MQTT_PASSWORD", "pw"},
                        {"GPS_PORT", "9000"},
                        {"GPS_BUDGET_MS", "86400000000"},
                        {"GPS_VERBOSE", "true"},
                        {"GPS_HOSTS", "x.example\n  y.example \n\nz.example"}})
                  .ok());
  EXPECT_EQ(config_.mqtt_uri, "tcp://broker:1883");
  EXPECT_EQ(config_.password, "pw");
  EXPECT_EQ(config_.port, 9000);
  EXPECT_EQ(config_.budget_ms, 86'400'000'000);
  EXPECT_TRUE(config_.verbose);
  EXPECT_EQ(config_.hosts, (std::vector<std::string>{"x.example", "y.example", "z.example"}));
}

TEST_F(ConfigTest, BooleansAcceptTheUsualSpellings) {
  for (const char* yes : {"1", "true", "yes", "on"}) {
    ASSERT_TRUE(Load({}, {{"GPS_VERBOSE", yes}}).ok()) << yes;
    EXPECT_TRUE(config_.verbose) << yes;
  }
  for (const char* no : {"0", "false", "no", "off"}) {
    ASSERT_TRUE(Load({"--verbose"}, {}).ok());
    ASSERT_TRUE(Load({}, {{"GPS_VERBOSE", no}}).ok()) << no;
    EXPECT_FALSE(config_.verbose) << no;
  }
  ExpectError({}, {{"GPS_VERBOSE", "maybe"}}, {"GPS_VERBOSE", "maybe", "environment"});
}

TEST_F(ConfigTest, FileReadsNameValueLinesWithCommentsAndQuotes) {
  std::string file = dir_.Write("gps.conf",
                                "# a comment\n"
                                "\n"
                                "GPS_MQTT_URI = \"tcp://from-file:1883\"\n"
                                "   # indented comment\n"
                                "GPS_PORT='7000'\r\n"
                                "GPS_VERBOSE=yes\n"
                                "GPS_HOSTS=one.example\n"
                                "GPS_HOSTS=two.example\n");
  ASSERT_TRUE(Load({"--config", file}).ok());
  EXPECT_EQ(config_.mqtt_uri, "tcp://from-file:1883");
  EXPECT_EQ(config_.port, 7000);
  EXPECT_TRUE(config_.verbose);
  EXPECT_EQ(config_.hosts, (std::vector<std::string>{"one.example", "two.example"}));
}

TEST_F(ConfigTest, FileCanBeNamedByFlagFormsOrEnvironment) {
  std::string file = dir_.Write("a.conf", "GPS_PORT=7001\n");
  ASSERT_TRUE(Load({"--config=" + file}).ok());
  EXPECT_EQ(config_.port, 7001);
  ASSERT_TRUE(Load({}, {{"GPS_CONFIG_FILE", file}}).ok());
  EXPECT_EQ(config_.port, 7001);
  // The flag names a different file than the environment; the flag wins.
  std::string other = dir_.Write("b.conf", "GPS_PORT=7002\n");
  ASSERT_TRUE(Load({"--config", other}, {{"GPS_CONFIG_FILE", file}}).ok());
  EXPECT_EQ(config_.port, 7002);
}

TEST_F(ConfigTest, FileRefusesUnknownSettingsAndBadLines) {
  std::string unknown = dir_.Write("unknown.conf", "GPS_PORT=7000\nGPS_PROT=7001\n");
  ExpectError({"--config", unknown}, {}, {"unknown setting GPS_PROT", "unknown.conf:2"});
  std::string no_equals = dir_.Write("noeq.conf", "GPS_PORT 7000\n");
  ExpectError({"--config", no_equals}, {}, {"noeq.conf:1", "NAME=value"});
  std::string bad_value = dir_.Write("bad.conf", "\nGPS_PORT=70000\n");
  ExpectError({"--config", bad_value}, {}, {"GPS_PORT", "bad.conf:2", "outside [1, 65535]"});
}

TEST_F(ConfigTest, NamedFileMustExistButDefaultFileMayNot) {
  ExpectError({"--config", dir_.Path("missing.conf")}, {}, {"missing.conf"});
  ExpectError({}, {{"GPS_CONFIG_FILE", dir_.Path("missing.conf")}}, {"missing.conf"});

  table_.SetDefaultFile(dir_.Path("absent-default.conf"));
  ASSERT_TRUE(Load({}).ok());
  EXPECT_EQ(config_.port, 8080);

  table_.SetDefaultFile(dir_.Write("default.conf", "GPS_PORT=6000\n"));
  ASSERT_TRUE(Load({}).ok());
  EXPECT_EQ(config_.port, 6000);
}

TEST_F(ConfigTest, ConfigFlagWithoutAValueIsAnError) {
  ExpectError({"--config"}, {}, {"--config needs a file name"});
  ExpectError({"--config="}, {}, {"--config needs a file name"});
  ExpectError({"--port=1", "--config"}, {}, {"--config needs a file name"});
}

TEST_F(ConfigTest, FlagsTakeEqualsOrTheNextArgument) {
  ASSERT_TRUE(Load({"--mqtt-uri=tcp://eq:1", "--port", "1234", "--budget-ms=0"}).ok());
  EXPECT_EQ(config_.mqtt_uri, "tcp://eq:1");
  EXPECT_EQ(config_.port, 1234);
  EXPECT_EQ(config_.budget_ms, 0);
  // A value may itself contain '='.
  ASSERT_TRUE(Load({"--mqtt-uri=tcp://h/?a=b"}).ok());
  EXPECT_EQ(config_.mqtt_uri, "tcp://h/?a=b");
}

TEST_F(ConfigTest, BoolFlagAloneMeansTrue) {
  ASSERT_TRUE(Load({"--verbose"}).ok());
  EXPECT_TRUE(config_.verbose);
  ASSERT_TRUE(Load({"--verbose=false"}, {{"GPS_VERBOSE", "true"}}).ok());
  EXPECT_FALSE(config_.verbose);
}

TEST_F(ConfigTest, ListFlagsAddOneValueEach) {
  ASSERT_TRUE(
      Load({"--hosts", "p.example", "--hosts=q.example"}, {{"GPS_HOSTS", "env.example"}}).ok());
  EXPECT_EQ(config_.hosts, (std::vector<std::string>{"p.example", "q.example"}));
}

TEST_F(ConfigTest, BadFlagsAreErrors) {
  ExpectError({"--no-such-flag=1"}, {}, {"unknown flag --no-such-flag"});
  ExpectError({"--port"}, {}, {"--port needs a value"});
  ExpectError({"positional"}, {}, {"unexpected argument 'positional'"});
  ExpectError({"--port=http"}, {}, {"GPS_PORT", "--port", "not an integer"});
}

TEST_F(ConfigTest, HelpFlagAsksForHelp) {
  for (const char* flag : {"--help", "-h"}) {
    Result<Table::Outcome> r = Load({"--port=1", flag});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, Table::Outcome::kHelp);
  }
}

TEST_F(ConfigTest, FlagsBeatEnvironmentWhichBeatsTheFile) {
  std::string file = dir_.Write("p.conf", "GPS_PORT=1001\nGPS_MQTT_URI=file\nGPS_BUDGET_MS=5\n");
  std::map<std::string, std::string> env = {{"GPS_PORT", "1002"}, {"GPS_MQTT_URI", "env"}};
  ASSERT_TRUE(Load({"--config", file, "--port=1003"}, env).ok());
  EXPECT_EQ(config_.port, 1003);       // flag over environment and file
  EXPECT_EQ(config_.mqtt_uri, "env");  // environment over file
  EXPECT_EQ(config_.budget_ms, 5);     // file over default
}

TEST_F(ConfigTest, IntegerErrorsNameTheVariable) {
  ExpectError({}, {{"GPS_PORT", "0"}}, {"GPS_PORT", "environment", "0 is outside [1, 65535]"});
  ExpectError({}, {{"GPS_PORT", "65536"}}, {"GPS_PORT", "outside"});
  ExpectError({}, {{"GPS_PORT", "80x"}}, {"GPS_PORT", "not an integer"});
  ExpectError({}, {{"GPS_PORT", ""}}, {"GPS_PORT", "empty"});
  ExpectError({}, {{"GPS_PORT", "99999999999999999999999"}}, {"GPS_PORT", "not an integer"});
  ExpectError({}, {{"GPS_BUDGET_MS", "-1"}}, {"GPS_BUDGET_MS", "outside"});
  ExpectError({}, {{"GPS_BUDGET_MS", "86400000001"}}, {"GPS_BUDGET_MS", "outside"});
  // Bounds are inclusive.
  ASSERT_TRUE(Load({}, {{"GPS_PORT", "1"}}).ok());
  ASSERT_TRUE(Load({}, {{"GPS_PORT", "65535"}}).ok());
}

TEST_F(ConfigTest, SecretComesFromItsFileTrimmed) {
  std::string secret = dir_.Write("password", "  s3cr3t-from-file\n");
  ASSERT_TRUE(Load({}, {{"GPS_MQTT_PASSWORD_FILE", secret}}).ok());
  EXPECT_EQ(config_.password, "s3cr3t-from-file");
}

TEST_F(ConfigTest, SecretFileMayBeNamedInTheConfigFile) {
  std::string secret = dir_.Write("password", "pw-via-config\n");
  std::string file = dir_.Write("s.conf", "GPS_MQTT_PASSWORD_FILE=" + secret + "\n");
  ASSERT_TRUE(Load({"--config", file}).ok());
  EXPECT_EQ(config_.password, "pw-via-config");
}

TEST_F(ConfigTest, SecretAndItsFileTogetherAreAnError) {
  std::string secret = dir_.Write("password", "x\n");
  ExpectError({}, {{"GPS_MQTT_PASSWORD", "y"}, {"GPS_MQTT_PASSWORD_FILE", secret}},
              {"GPS_MQTT_PASSWORD", "GPS_MQTT_PASSWORD_FILE", "both set"});
}

TEST_F(ConfigTest, MissingSecretFileIsAnError) {
  ExpectError({}, {{"GPS_MQTT_PASSWORD_FILE", dir_.Path("nope")}}, {"GPS_MQTT_PASSWORD_FILE"});
}

TEST_F(ConfigTest, OnlySecretsHaveAFileVariant) {
  std::string file = dir_.Write("x", "tcp://x:1\n");
  ASSERT_TRUE(Load({}, {{"GPS_MQTT_URI_FILE", file}}).ok());  // not read: not a secret
  EXPECT_EQ(config_.mqtt_uri, "tcp://127.0.0.1:1883");
  std::string conf = dir_.Write("c.conf", "GPS_MQTT_URI_FILE=" + file + "\n");
  ExpectError({"--config", conf}, {}, {"unknown setting GPS_MQTT_URI_FILE"});
}

TEST_F(ConfigTest, ChecksRunAfterLoading) {
  table_.AddCheck([this]() -> Status {
    if (config_.verbose && config_.port == 1) {
      return Status::InvalidArgument("GPS_PORT=1 cannot be combined with GPS_VERBOSE");
    }
    return Status::Ok();
  });
  ASSERT_TRUE(Load({"--port=1"}).ok());
  ExpectError({"--port=1", "--verbose"}, {}, {"cannot be combined"});
}

TEST_F(ConfigTest, EachLoadStartsFromTheDefaults) {
  ASSERT_TRUE(Load({"--port=2", "--hosts=z"}).ok());
  ASSERT_TRUE(Load({}).ok());
  EXPECT_EQ(config_.port, 8080);
  EXPECT_EQ(config_.hosts, (std::vector<std::string>{"a.example", "b.example"}));
}

TEST_F(ConfigTest, HelpListsEverySettingWithItsFlagHelpAndDefault) {
  std::string help = table_.Help();
  for (const char* needle :
       {"gps-test: exercises the config table", "GPS_MQTT_URI", "--mqtt-uri", "MQTT broker URI",
        "default: tcp://127.0.0.1:1883", "GPS_MQTT_PASSWORD", "--mqtt-password",
        "[secret; or GPS_MQTT_PASSWORD_FILE]", "GPS_PORT", "--port", "default: 8080",
        "GPS_BUDGET_MS", "--budget-ms", "GPS_VERBOSE", "--verbose", "default: false", "GPS_HOSTS",
        "--hosts", "default: a.example | b.example"}) {
    EXPECT_NE(help.find(needle), std::string::npos) << "missing '" << needle << "' in:\n" << help;
  }
}

TEST_F(ConfigTest, HelpNeverShowsASecretValue) {
  ASSERT_TRUE(Load({}, {{"GPS_MQTT_PASSWORD", "hunter2-secret"}}).ok());
  EXPECT_EQ(config_.password, "hunter2-secret");
  std::string help = table_.Help();
  EXPECT_EQ(help.find("hunter2-secret"), std::string::npos);
  // The secret line shows no default either.
  std::size_t at = help.find("GPS_MQTT_PASSWORD  ");
  ASSERT_NE(at, std::string::npos);
  std::size_t next = help.find("GPS_PORT", at);
  EXPECT_EQ(help.substr(at, next - at).find("default:"), std::string::npos);
}

TEST(ConfigReadFile, RefusesFilesOverTheLimit) {
  TempDir dir;
  std::string path = dir.Write("big", std::string(100, 'x'));
  EXPECT_TRUE(ReadFile(path, 100).ok());
  Result<std::string> r = ReadFile(path, 99);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_TRUE(ReadFile(dir.Path("missing")).status().IsNotFound());
}

TEST(ConfigLoadOrExit, ExitsTwoNamingTheBadVariable) {
  TestConfig config;
  Table table("gps-test", "death test");
  table.Add("GPS_PORT", &config.port, 8080, "port", 1, 65535);
  std::string arg0 = "gps-test";
  std::string arg1 = "--port=0";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  EXPECT_EXIT(LoadOrExit(table, 2, argv), testing::ExitedWithCode(2),
              "configuration error: GPS_PORT");
}

TEST(ConfigLoadOrExit, HelpExitsZero) {
  TestConfig config;
  Table table("gps-test", "death test");
  table.Add("GPS_PORT", &config.port, 8080, "port", 1, 65535);
  std::string arg0 = "gps-test";
  std::string arg1 = "--help";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  // The help text goes to stdout; keep it out of the test log.
  EXPECT_EXIT(
      {
        if (std::freopen("/dev/null", "w", stdout) == nullptr) {
          std::exit(3);
        }
        LoadOrExit(table, 2, argv);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace gps::config
