#include "ui/commands/pending_requests.h"

#include <gtest/gtest.h>

#include <thread>

namespace gps::ui {
namespace {

using protocol::CommandReply;
using protocol::ReplyStatus;
using Clock = std::chrono::steady_clock;

// Far enough that only a broken implementation could reach it in these tests.
Clock::time_point Later() { return Clock::now() + std::chrono::minutes(5); }

TEST(PendingRequestsTest, AReplyThatArrivesBeforeTheWaitIsKept) {
  PendingRequests p;
  p.Register("r1");
  EXPECT_TRUE(p.Complete("r1", CommandReply{ReplyStatus::kConflict, "taken"}));
  std::optional<PendingRequests::Reply> got = p.Wait("r1", Later());
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->ok());
  EXPECT_EQ((*got)->status, ReplyStatus::kConflict);
  EXPECT_EQ((*got)->message, "taken");
  EXPECT_EQ(p.size(), 0u);
}

TEST(PendingRequestsTest, AnUnreadableReplyIsPassedOn) {
  PendingRequests p;
  p.Register("r1");
  EXPECT_TRUE(p.Complete("r1", Status::InvalidArgument("reply: not valid JSON")));
  std::optional<PendingRequests::Reply> got = p.Wait("r1", Later());
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->status().IsInvalidArgument());
}

TEST(PendingRequestsTest, RepliesGoToTheirOwnRequest) {
  PendingRequests p;
  p.Register("a");
  p.Register("b");
  EXPECT_TRUE(p.Complete("b", CommandReply{ReplyStatus::kAccepted, "b"}));
  EXPECT_TRUE(p.Complete("a", CommandReply{ReplyStatus::kNotFound, "a"}));
  EXPECT_EQ(p.Wait("a", Later())->value().message, "a");
  EXPECT_EQ(p.Wait("b", Later())->value().message, "b");
}

TEST(PendingRequestsTest, UnknownRepeatedAndLateRepliesAreRefused) {
  PendingRequests p;
  EXPECT_FALSE(p.Complete("nobody", CommandReply{}));
  p.Register("r1");
  EXPECT_TRUE(p.Complete("r1", CommandReply{}));
  EXPECT_FALSE(p.Complete("r1", CommandReply{}));  // a duplicate delivery
  ASSERT_TRUE(p.Wait("r1", Later()).has_value());
  EXPECT_FALSE(p.Complete("r1", CommandReply{}));  // after the waiter left
}

TEST(PendingRequestsTest, APassedDeadlineGivesNothingAndForgetsTheRequest) {
  PendingRequests p;
  p.Register("r1");
  EXPECT_FALSE(p.Wait("r1", Clock::now() - std::chrono::seconds(1)).has_value());
  EXPECT_EQ(p.size(), 0u);
  EXPECT_FALSE(p.Complete("r1", CommandReply{}));
}

TEST(PendingRequestsTest, CancelForgets) {
  PendingRequests p;
  p.Register("r1");
  p.Cancel("r1");
  EXPECT_EQ(p.size(), 0u);
  EXPECT_FALSE(p.Complete("r1", CommandReply{}));
}

TEST(PendingRequestsTest, AWaiterIsWokenByAnotherThread) {
  PendingRequests p;
  p.Register("r1");
  std::thread consumer([&] {
    // Whether this runs before or during the wait, the waiter gets the reply.
    EXPECT_TRUE(p.Complete("r1", CommandReply{ReplyStatus::kAccepted, "ok"}));
  });
  std::optional<PendingRequests::Reply> got = p.Wait("r1", Later());
  consumer.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ((*got)->message, "ok");
}

}  // namespace
}  // namespace gps::ui
