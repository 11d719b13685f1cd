#include "gps/protocol/job.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gps/crypto/encoding.h"
#include "gps/json/json.h"
#include "gps/protocol/limits.h"
#include "gps/testing/test_util.h"

namespace gps::protocol {
namespace {

using testing::kDeviceId;
using testing::Must;

TEST(StepAndAction, NamesRoundTrip) {
  for (Step s : {Step::kMender, Step::kDps, Step::kVault, Step::kHubManifest}) {
    EXPECT_EQ(Must(ParseStep(StepName(s))), s);
  }
  for (Action a : {Action::kProvision, Action::kCheckName, Action::kRevoke}) {
    EXPECT_EQ(Must(ParseAction(ActionName(a))), a);
  }
  EXPECT_EQ(StepName(Step::kHubManifest), "hub-manifest");
  EXPECT_EQ(ActionName(Action::kCheckName), "check_name");
}

TEST(StepAndAction, UnknownNamesAreRefused) {
  for (const char* s : {"", "Mender", "hub_manifest", "iothub", "dps "}) {
    EXPECT_TRUE(ParseStep(s).status().IsInvalidArgument()) << s;
  }
  for (const char* a : {"", "check-name", "Provision", "delete"}) {
    EXPECT_TRUE(ParseAction(a).status().IsInvalidArgument()) << a;
  }
}

TEST(JobId, FormatsAsColonSeparatedFields) {
  JobId id{kDeviceId, 3, Step::kHubManifest, Action::kCheckName, 12};
  EXPECT_EQ(FormatJobId(id), kDeviceId + ":3:hub-manifest:check_name:12");
}

TEST(JobId, ParsesWhatItFormats) {
  for (Step step : {Step::kMender, Step::kDps, Step::kVault, Step::kHubManifest}) {
    for (Action action : {Action::kProvision, Action::kCheckName, Action::kRevoke}) {
      for (auto [generation, attempt] :
           {std::pair<std::int64_t, int>{0, 1}, {7, 3}, {1'000'000'000, 1'000'000}}) {
        JobId id{kDeviceId, generation, step, action, attempt};
        Result<JobId> parsed = ParseJobId(FormatJobId(id));
        ASSERT_TRUE(parsed.ok()) << FormatJobId(id) << ": " << parsed.status().ToString();
        EXPECT_EQ(*parsed, id);
      }
    }
  }
}

TEST(JobId, RefusesEveryMalformedForm) {
  const std::string d = kDeviceId;
  const std::string cases[] = {
      "",
      d,
      d + ":1:mender:provision",                        // four parts
      d + ":1:mender:provision:1:extra",                // six parts
      d + ":1:mender:provision:1:",                     // trailing colon
      ":1:mender:provision:1",                          // no device
      d.substr(1) + ":1:mender:provision:1",            // 63 characters
      std::string(64, 'A') + ":1:mender:provision:1",   // upper case
      std::string(63, 'a') + "g:1:mender:provision:1",  // not hex
      d + "::mender:provision:1",                       // empty generation
      d + ":-1:mender:provision:1",                     // negative generation
      d + ":x:mender:provision:1",                      // not a number
      d + ":1.0:mender:provision:1",                    // not an integer
      d + ": 1:mender:provision:1",                     // space
      d + ":+1:mender:provision:1",                     // sign
      d + ":1000000001:mender:provision:1",             // above the generation range
      d + ":99999999999999999999:mender:provision:1",   // overflows
      d + ":1:Mender:provision:1",                      // unknown step
      d + ":1::provision:1",                            // empty step
      d + ":1:mender:check-name:1",                     // unknown action
      d + ":1:mender:provision:0",                      // attempts count from 1
      d + ":1:mender:provision:-1",
      d + ":1:mender:provision:1000001",  // above the attempt range
      d + ":1:mender:provision:",         // empty attempt
      d + ":1:mender:provision:1x",
      d + ":1:mender:provision:" + std::string(200, '1'),  // too long
  };
  for (const std::string& text : cases) {
    Result<JobId> id = ParseJobId(text);
    EXPECT_FALSE(id.ok()) << text;
    EXPECT_TRUE(id.status().IsInvalidArgument()) << text;
  }
}

Job FullJob() {
  Job job;
  job.id = JobId{kDeviceId, 2, Step::kVault, Action::kProvision, 4};
  job.deadline = Instant{1763880030000};
  job.name = "gw-berlin-0042";
  job.mac = "02:42:ac:11:00:02";
  job.pubkey_pem = "-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n";
  job.transport_key = std::string(32, '\x5a');
  job.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
  job.facts_json = R"({"menderDeviceId":"m-1","nested":{"list":[1,"two",null]}})";
  return job;
}

void ExpectSameJob(const Job& a, const Job& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.deadline, b.deadline);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.mac, b.mac);
  EXPECT_EQ(a.pubkey_pem, b.pubkey_pem);
  EXPECT_EQ(a.transport_key, b.transport_key);
  EXPECT_EQ(a.csr_pem, b.csr_pem);
  EXPECT_EQ(a.facts_json, b.facts_json);
}

TEST(Job, RoundTripsEveryField) {
  Job job = FullJob();
  ExpectSameJob(Must(ParseJob(EncodeJob(job))), job);
}

TEST(Job, RoundTripsWithoutCsrAndWithEmptyFacts) {
  Job job = FullJob();
  job.csr_pem = "";
  job.facts_json = "{}";
  std::string payload = EncodeJob(job);
  EXPECT_EQ(payload.find("\"csr\""), std::string::npos);
  ExpectSameJob(Must(ParseJob(payload)), job);
}

TEST(Job, AnEmptyNameIsAllowed) {
  // A revoke of a device that never got a name still names no one.
  Job job = FullJob();
  job.name = "";
  job.id.action = Action::kRevoke;
  ExpectSameJob(Must(ParseJob(EncodeJob(job))), job);
}

// The encoded FullJob() as raw JSON members, so one field at a time can be replaced or dropped.
std::string JobPayload(const std::map<std::string, std::string>& replace,
                       const std::string& drop = "") {
  Job job = FullJob();
  std::map<std::string, std::string> members = {
      {"v", "1"},
      {"jobId", json::Quote(FormatJobId(job.id))},
      {"deadline", std::to_string(job.deadline.ms)},
      {"name", json::Quote(job.name)},
      {"mac", json::Quote(job.mac)},
      {"pubkey", json::Quote(job.pubkey_pem)},
      {"transportKey", json::Quote(crypto::Base64Encode(job.transport_key))},
      {"csr", json::Quote(job.csr_pem)},
      {"facts", job.facts_json},
  };
  for (const auto& [k, v] : replace) {
    members[k] = v;
  }
  members.erase(drop);
  std::string out = "{";
  for (const auto& [k, v] : members) {
    out += (out.size() > 1 ? "," : "") + json::Quote(k) + ":" + v;
  }
  return out + "}";
}

TEST(Job, TheTestPayloadIsValid) { ExpectSameJob(Must(ParseJob(JobPayload({}))), FullJob()); }

TEST(Job, RefusesMissingRequiredFields) {
  for (const char* field :
       {"v", "jobId", "deadline", "name", "mac", "pubkey", "transportKey", "facts"}) {
    Result<Job> job = ParseJob(JobPayload({}, field));
    EXPECT_TRUE(job.status().IsInvalidArgument()) << "without " << field;
  }
  EXPECT_TRUE(ParseJob(JobPayload({}, "csr")).ok());
}

TEST(Job, RefusesMalformedFields) {
  const std::pair<const char*, std::string> cases[] = {
      {"v", "2"},
      {"v", "\"1\""},
      {"jobId", json::Quote("not-a-job-id")},
      {"jobId", json::Quote(kDeviceId + ":1:mender:provision:0")},
      {"jobId", "7"},
      {"deadline", json::Quote("1763880030000")},
      {"deadline", "1.5"},
      {"name", json::Quote("GW-1")},
      {"name", json::Quote("-gw")},
      {"name", json::Quote(std::string(64, 'a'))},
      {"mac", json::Quote("02:42:AC:11:00:02")},
      {"mac", json::Quote("02-42-ac-11-00-02")},
      {"pubkey", json::Quote(std::string(kMaxPemBytes + 1, 'A'))},
      {"pubkey", "null"},
      {"transportKey", json::Quote(crypto::Base64Encode(std::string(31, 'k')))},
      {"transportKey", json::Quote("%%%%")},
      {"csr", "1"},
      {"facts", "[]"},
      {"facts", "\"{}\""},
      {"facts", "null"},
      {"facts", "1"},
  };
  for (const auto& [field, raw] : cases) {
    Result<Job> job = ParseJob(JobPayload({{field, raw}}));
    EXPECT_FALSE(job.ok()) << field << "=" << raw.substr(0, 60);
    EXPECT_TRUE(job.status().IsInvalidArgument()) << field << "=" << raw.substr(0, 60);
  }
}

TEST(Job, RefusesAnOversizedPayload) {
  Job job = FullJob();
  job.facts_json = "{\"pad\":\"" + std::string(kMaxJobBytes, 'x') + "\"}";
  Result<Job> parsed = ParseJob(EncodeJob(job));
  EXPECT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("exceeds the limit"), std::string::npos);
}

TEST(JobResult, OkRoundTripsWithItsData) {
  JobResult r;
  r.outcome = Outcome::Ok();
  r.data_json = R"({"menderDeviceId":"abc"})";
  std::string payload = EncodeJobResult(r);
  EXPECT_EQ(payload, R"({"v":1,"outcome":"ok","data":{"menderDeviceId":"abc"}})");
  JobResult back = Must(ParseJobResult(payload));
  EXPECT_TRUE(back.outcome.ok());
  EXPECT_EQ(back.outcome.error, "");
  EXPECT_EQ(back.outcome.retry_after_ms, 0);
  EXPECT_EQ(back.data_json, r.data_json);
}

TEST(JobResult, RetryableRoundTripsWithItsDelay) {
  JobResult r;
  r.outcome = Outcome::Retryable("dps: HTTP 429: throttled", 5000);
  std::string payload = EncodeJobResult(r);
  EXPECT_EQ(payload, R"({"v":1,"outcome":"retryable","error":"dps: HTTP 429: throttled",)"
                     R"("retryAfterMs":5000,"data":{}})");
  JobResult back = Must(ParseJobResult(payload));
  EXPECT_TRUE(back.outcome.retryable());
  EXPECT_EQ(back.outcome.error, "dps: HTTP 429: throttled");
  EXPECT_EQ(back.outcome.retry_after_ms, 5000);
  EXPECT_EQ(back.data_json, "{}");
}

TEST(JobResult, RetryableWithoutDelayOmitsIt) {
  JobResult r;
  r.outcome = Outcome::Retryable("vault: HTTP 503: sealed");
  std::string payload = EncodeJobResult(r);
  EXPECT_EQ(payload.find("retryAfterMs"), std::string::npos);
  EXPECT_EQ(Must(ParseJobResult(payload)).outcome.retry_after_ms, 0);
}

TEST(JobResult, PermanentRoundTrips) {
  JobResult r;
  r.outcome = Outcome::Permanent("mender: HTTP 400: bad identity");
  JobResult back = Must(ParseJobResult(EncodeJobResult(r)));
  EXPECT_TRUE(back.outcome.permanent());
  EXPECT_EQ(back.outcome.error, "mender: HTTP 400: bad identity");
}

TEST(JobResult, EncodedResultsAlwaysParseBack) {
  // Whatever error text a step produces, the engine must be able to read the result: a result it
  // refuses would leave the step waiting for its lease instead of failing or retrying now.
  std::string long_ascii(3 * kMaxErrorTextBytes, 'e');
  std::string long_utf8;
  while (long_utf8.size() < 3 * kMaxErrorTextBytes) {
    long_utf8 += "\xc3\xbc";
  }
  long_utf8 = "x" + long_utf8;  // so a byte limit falls inside a character
  for (const std::string& error : {long_ascii, long_utf8, std::string("cut \xe2\x82")}) {
    for (Outcome outcome : {Outcome::Retryable(error, 1000), Outcome::Permanent(error)}) {
      JobResult r;
      r.outcome = outcome;
      Result<JobResult> back = ParseJobResult(EncodeJobResult(r));
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(back->outcome.kind, outcome.kind);
      EXPECT_FALSE(back->outcome.error.empty());
      EXPECT_LE(back->outcome.error.size(), kMaxErrorTextBytes);
      EXPECT_EQ(back->outcome.error.substr(0, 3), error.substr(0, 3));
    }
  }
}

TEST(JobResult, RefusesANonOkOutcomeWithoutError) {
  for (const char* payload :
       {R"({"v":1,"outcome":"retryable","data":{}})", R"({"v":1,"outcome":"permanent","data":{}})",
        R"({"v":1,"outcome":"permanent","error":"","data":{}})",
        R"({"v":1,"outcome":"permanent","error":null,"data":{}})"}) {
    Result<JobResult> r = ParseJobResult(payload);
    EXPECT_TRUE(r.status().IsInvalidArgument()) << payload;
  }
}

TEST(JobResult, RefusesARetryAfterOutOfRange) {
  constexpr std::int64_t kWeekMs = 7LL * 24 * 3600 * 1000;
  auto payload = [](const std::string& raw) {
    return R"({"v":1,"outcome":"retryable","error":"e","retryAfterMs":)" + raw + R"(,"data":{}})";
  };
  EXPECT_TRUE(ParseJobResult(payload("0")).ok());
  EXPECT_TRUE(ParseJobResult(payload(std::to_string(kWeekMs))).ok());
  for (const std::string& raw : {std::string("-1"), std::to_string(kWeekMs + 1),
                                 std::string("1e300"), std::string("\"5\""), std::string("2.5")}) {
    EXPECT_TRUE(ParseJobResult(payload(raw)).status().IsInvalidArgument()) << raw;
  }
}

TEST(JobResult, RefusesDataThatIsNotAnObject) {
  for (const char* data : {"[]", "\"{}\"", "null", "1", "true"}) {
    std::string payload = std::string(R"({"v":1,"outcome":"ok","data":)") + data + "}";
    EXPECT_TRUE(ParseJobResult(payload).status().IsInvalidArgument()) << data;
  }
  EXPECT_TRUE(ParseJobResult(R"({"v":1,"outcome":"ok"})").status().IsInvalidArgument());
}

TEST(JobResult, RefusesDataTheEngineCouldNotReadBack) {
  // An escaped unpaired surrogate used to pass, and data_json then held bytes that are not UTF-8:
  // the engine would store data it refuses when it reads the saga again (found by fuzz/result).
  Result<JobResult> r = ParseJobResult(R"({"v":1,"outcome":"ok","data":{"x":"\udc00"}})");
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
}

TEST(Job, RefusesFactsTheWorkerCouldNotReadBack) {
  // The facts are passed on verbatim; 2e308 used to be read as infinity and serialised as a cut-off
  // text (found by fuzz/job).
  for (const char* facts : {R"({"menderDeviceId":"\udfff"})", R"({"a":[[{"b":2e308}]]})"}) {
    Result<Job> job = ParseJob(JobPayload({{"facts", facts}}));
    EXPECT_TRUE(job.status().IsInvalidArgument()) << facts << ": " << job.status().ToString();
  }
}

TEST(JobResult, RefusesAnUnknownOutcomeOrVersion) {
  for (const char* payload :
       {R"({"v":1,"outcome":"OK","data":{}})",
        R"({"v":1,"outcome":"failed","error":"e","data":{}})", R"({"v":1,"outcome":"","data":{}})",
        R"({"v":1,"outcome":1,"data":{}})", R"({"v":1,"data":{}})",
        R"({"v":2,"outcome":"ok","data":{}})", R"({"outcome":"ok","data":{}})", "[]", "", "{"}) {
    EXPECT_TRUE(ParseJobResult(payload).status().IsInvalidArgument()) << payload;
  }
}

TEST(JobResult, RefusesAnOversizedResultOrError) {
  std::string big_data =
      R"({"v":1,"outcome":"ok","data":{"x":")" + std::string(kMaxResultBytes, 'x') + "\"}}";
  EXPECT_TRUE(ParseJobResult(big_data).status().IsInvalidArgument());
  std::string big_error = R"({"v":1,"outcome":"permanent","error":")" +
                          std::string(kMaxErrorTextBytes + 1, 'e') + R"(","data":{}})";
  EXPECT_TRUE(ParseJobResult(big_error).status().IsInvalidArgument());
}

TEST(SecretContext, NamesDeviceStepAndField) {
  EXPECT_EQ(SecretContext(kDeviceId, Step::kDps, "symmetricKey"),
            "gps/v1 secret " + kDeviceId + " dps symmetricKey");
  EXPECT_EQ(SecretContext(kDeviceId, Step::kVault, "privateKey"),
            "gps/v1 secret " + kDeviceId + " vault privateKey");
}

TEST(OutcomeKind, NamesRoundTrip) {
  for (Outcome::Kind k :
       {Outcome::Kind::kOk, Outcome::Kind::kRetryable, Outcome::Kind::kPermanent}) {
    Outcome::Kind parsed = Outcome::Kind::kOk;
    ASSERT_TRUE(ParseOutcomeKind(OutcomeKindName(k), &parsed));
    EXPECT_EQ(parsed, k);
  }
  Outcome::Kind untouched = Outcome::Kind::kRetryable;
  EXPECT_FALSE(ParseOutcomeKind("Ok", &untouched));
  EXPECT_EQ(untouched, Outcome::Kind::kRetryable);
}

}  // namespace
}  // namespace gps::protocol
