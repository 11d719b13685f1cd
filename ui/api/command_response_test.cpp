#include "ui/api/command_response.h"

#include <gtest/gtest.h>

namespace gps::ui {
namespace {

using protocol::CommandReply;
using protocol::ReplyStatus;

TEST(CommandResponseTest, EveryReplyStatusHasItsHttpStatus) {
  EXPECT_EQ(HttpStatusForReply(ReplyStatus::kAccepted), 202);
  EXPECT_EQ(HttpStatusForReply(ReplyStatus::kInvalid), 400);
  EXPECT_EQ(HttpStatusForReply(ReplyStatus::kNotFound), 404);
  EXPECT_EQ(HttpStatusForReply(ReplyStatus::kConflict), 409);
  EXPECT_EQ(HttpStatusForReply(ReplyStatus::kUnavailable), 502);
}

TEST(CommandResponseTest, AcceptedCarriesTheEnginesMessage) {
  HttpResponse r = CommandResponse(CommandReply{ReplyStatus::kAccepted, "steps dispatched"}, 15000);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"status":"accepted","message":"steps dispatched"})");
}

TEST(CommandResponseTest, RefusalsCarryTheEnginesMessageAsError) {
  struct Case {
    ReplyStatus status;
    int http;
  };
  for (const Case& c : {Case{ReplyStatus::kInvalid, 400}, Case{ReplyStatus::kNotFound, 404},
                        Case{ReplyStatus::kConflict, 409}, Case{ReplyStatus::kUnavailable, 502}}) {
    HttpResponse r = CommandResponse(CommandReply{c.status, "the name 'gw-1' is \"taken\""}, 15000);
    EXPECT_EQ(r.status, c.http);
    EXPECT_EQ(r.body, R"({"error":"the name 'gw-1' is \"taken\""})");
  }
}

TEST(CommandResponseTest, AnEmptyMessageGetsADefault) {
  for (ReplyStatus s : {ReplyStatus::kAccepted, ReplyStatus::kInvalid, ReplyStatus::kNotFound,
                        ReplyStatus::kConflict, ReplyStatus::kUnavailable}) {
    HttpResponse r = CommandResponse(CommandReply{s, ""}, 15000);
    EXPECT_EQ(r.body.find(R"(:"")"), std::string::npos) << r.body;
  }
  EXPECT_EQ(CommandResponse(CommandReply{ReplyStatus::kNotFound, ""}, 1).body,
            R"({"error":"no such device"})");
}

TEST(CommandResponseTest, NoReplyInTimeIs504) {
  HttpResponse r = CommandResponse(Status::DeadlineExceeded("no reply"), 15000);
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(
      r.body,
      R"({"error":"the engine did not answer within 15 s; the command may still be carried out"})");
  EXPECT_NE(CommandResponse(Status::DeadlineExceeded("x"), 2500).body.find("within 2.5 s"),
            std::string::npos);
}

TEST(CommandResponseTest, BrokerTroubleIs503AndAnUnreadableReply502) {
  HttpResponse broker =
      CommandResponse(Status::Unavailable("the message broker did not take it"), 1);
  EXPECT_EQ(broker.status, 503);
  EXPECT_EQ(broker.body, R"({"error":"the message broker did not take it"})");
  HttpResponse unreadable = CommandResponse(Status::InvalidArgument("reply.status: unknown"), 1);
  EXPECT_EQ(unreadable.status, 502);
  EXPECT_NE(unreadable.body.find("could not be read: reply.status: unknown"), std::string::npos);
  EXPECT_EQ(CommandResponse(Status::Internal("rng"), 1).status, 500);
}

TEST(FormatSecondsTest, Values) {
  EXPECT_EQ(FormatSeconds(15000), "15");
  EXPECT_EQ(FormatSeconds(300), "0.3");
  EXPECT_EQ(FormatSeconds(1250), "1.25");
  EXPECT_EQ(FormatSeconds(1001), "1.001");
  EXPECT_EQ(FormatSeconds(0), "0");
}

}  // namespace
}  // namespace gps::ui
