#include "gps/core/status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gps/core/result.h"

namespace gps {
namespace {

TEST(Status, DefaultIsOkWithNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s, Status::Ok());
}

TEST(Status, EachFactorySetsItsCodeAndMessage) {
  struct Case {
    Status status;
    Status::Code code;
    bool (Status::*is)() const;
  };
  const Case cases[] = {
      {Status::InvalidArgument("m"), Status::Code::kInvalidArgument, &Status::IsInvalidArgument},
      {Status::NotFound("m"), Status::Code::kNotFound, &Status::IsNotFound},
      {Status::AlreadyExists("m"), Status::Code::kAlreadyExists, &Status::IsAlreadyExists},
      {Status::FailedPrecondition("m"), Status::Code::kFailedPrecondition,
       &Status::IsFailedPrecondition},
      {Status::PermissionDenied("m"), Status::Code::kPermissionDenied, &Status::IsPermissionDenied},
      {Status::Unavailable("m"), Status::Code::kUnavailable, &Status::IsUnavailable},
      {Status::DeadlineExceeded("m"), Status::Code::kDeadlineExceeded, &Status::IsDeadlineExceeded},
      {Status::Internal("m"), Status::Code::kInternal, &Status::IsInternal},
  };
  const std::vector<bool (Status::*)() const> all_predicates = {
      &Status::IsInvalidArgument,    &Status::IsNotFound,         &Status::IsAlreadyExists,
      &Status::IsFailedPrecondition, &Status::IsPermissionDenied, &Status::IsUnavailable,
      &Status::IsDeadlineExceeded,   &Status::IsInternal};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(CodeName(c.code)));
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
    // Exactly one IsX() predicate holds.
    int true_count = 0;
    for (auto predicate : all_predicates) {
      true_count += (c.status.*predicate)() ? 1 : 0;
    }
    EXPECT_EQ(true_count, 1);
    EXPECT_TRUE((c.status.*c.is)());
  }
}

TEST(Status, WithContextPrefixesTheMessageAndKeepsTheCode) {
  Status s = Status::Unavailable("HTTP 503").WithContext("dps: create enrollment gw-1");
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_EQ(s.message(), "dps: create enrollment gw-1: HTTP 503");
}

TEST(Status, WithContextNestsOutermostFirst) {
  Status s = Status::NotFound("no such key").WithContext("inner").WithContext("outer");
  EXPECT_EQ(s.message(), "outer: inner: no such key");
}

TEST(Status, WithContextOnOkStaysOk) {
  Status s = Status::Ok().WithContext("anything");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(Status, ToStringIsOkOrCodeNameAndMessage) {
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  EXPECT_EQ(Status::InvalidArgument("bad mac").ToString(), "invalid argument: bad mac");
  EXPECT_EQ(Status::PermissionDenied("x").ToString(), "permission denied: x");
  EXPECT_EQ(Status::DeadlineExceeded("y").ToString(), "deadline exceeded: y");
  EXPECT_EQ(Status::Internal("z").ToString(), "internal: z");
}

TEST(Status, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(Status::NotFound("a"), Status::NotFound("a"));
  EXPECT_NE(Status::NotFound("a"), Status::NotFound("b"));
  EXPECT_NE(Status::NotFound("a"), Status::Internal("a"));
}

TEST(Status, ReturnIfErrorPropagatesOnlyFailures) {
  auto run = [](Status inner, bool* reached_end) -> Status {
    GPS_RETURN_IF_ERROR(inner);
    *reached_end = true;
    return Status::Ok();
  };
  bool reached = false;
  EXPECT_TRUE(run(Status::Ok(), &reached).ok());
  EXPECT_TRUE(reached);
  reached = false;
  EXPECT_EQ(run(Status::NotFound("gone"), &reached), Status::NotFound("gone"));
  EXPECT_FALSE(reached);
}

TEST(Result, HoldsAValueOrAStatus) {
  Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  EXPECT_EQ(value.value_or(1), 7);

  Result<int> error = Status::NotFound("no");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status(), Status::NotFound("no"));
  EXPECT_EQ(error.value_or(1), 1);
}

TEST(Result, FromAnOkStatusIsAnInternalError) {
  Result<std::string> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInternal());
}

TEST(Result, AssignOrReturnUnwrapsOrPropagates) {
  auto half = [](int n) -> Result<int> {
    if (n % 2 != 0) {
      return Status::InvalidArgument("odd");
    }
    return n / 2;
  };
  auto quarter = [&](int n) -> Result<int> {
    GPS_ASSIGN_OR_RETURN(int h, half(n));
    GPS_ASSIGN_OR_RETURN(int q, half(h));
    return q;
  };
  ASSERT_TRUE(quarter(8).ok());
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_EQ(quarter(6).status(), Status::InvalidArgument("odd"));
}

}  // namespace
}  // namespace gps
