#include "gps/http/parse_answer.h"

#include <gtest/gtest.h>

#include <string>

namespace gps::http {
namespace {

constexpr Instant kNow{1'700'000'000'000};

Response Reply(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// A body of digits only, as a number.
Result<int> ParseNumber(std::string_view body) {
  if (body.empty() || body.find_first_not_of("0123456789") != std::string_view::npos) {
    return Status::InvalidArgument("not a number: '" + std::string(body) + "'");
  }
  return std::stoi(std::string(body));
}

TEST(ParseAnswer, ParsesTheBodyOfAnOkAnswer) {
  int out = -1;
  Outcome o = ParseAnswer(Reply(200, "42"), "vault: issue gw-1", kNow, ParseNumber, &out);
  EXPECT_TRUE(o.ok());
  EXPECT_EQ(out, 42);
}

TEST(ParseAnswer, AnUnreadableOkAnswerIsPermanent) {
  int out = -1;
  Outcome o = ParseAnswer(Reply(200, "4x"), "vault: issue gw-1", kNow, ParseNumber, &out);
  EXPECT_TRUE(o.permanent());
  EXPECT_EQ(o.error, "vault: issue gw-1: unreadable answer: not a number: '4x'");
  EXPECT_EQ(out, -1);
}

TEST(ParseAnswer, AFailedExchangeIsClassifiedWithoutParsing) {
  int out = -1;
  int parsed = 0;
  auto counting = [&](std::string_view body) {
    ++parsed;
    return ParseNumber(body);
  };
  Outcome busy = ParseAnswer(Reply(503, "7"), "dps: get gw-1", kNow, counting, &out);
  EXPECT_TRUE(busy.retryable());
  EXPECT_EQ(busy.error, Classify(Reply(503, "7"), "dps: get gw-1", kNow).error);
  Outcome down = ParseAnswer(Result<Response>(Status::Unavailable("connection refused")),
                             "dps: get gw-1", kNow, counting, &out);
  EXPECT_TRUE(down.retryable());
  EXPECT_EQ(parsed, 0);
  EXPECT_EQ(out, -1);
}

}  // namespace
}  // namespace gps::http
