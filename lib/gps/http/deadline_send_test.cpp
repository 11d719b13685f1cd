#include "gps/http/deadline_send.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gps::http {
namespace {

constexpr Instant kNow{1'700'000'000'000};

Request Get(Millis timeout_ms) {
  Request r;
  r.method = "GET";
  r.url = "http://127.0.0.1:9/devices";
  r.timeout_ms = timeout_ms;
  return r;
}

TEST(FitToDeadline, KeepsTheTimeoutWhenTheDeadlineIsFurther) {
  Result<Request> r = FitToDeadline(Get(10000), kNow, kNow + 60000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timeout_ms, 10000);
  EXPECT_EQ(r->url, "http://127.0.0.1:9/devices");
}

TEST(FitToDeadline, CutsTheTimeoutToTheTimeLeft) {
  Result<Request> r = FitToDeadline(Get(10000), kNow, kNow + 2500);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->timeout_ms, 2500);
}

TEST(FitToDeadline, RefusesWhenNoTimeIsLeft) {
  for (Millis late : {0, 1, 5000}) {
    Result<Request> r = FitToDeadline(Get(10000), kNow + late, kNow);
    ASSERT_FALSE(r.ok()) << late;
    EXPECT_TRUE(r.status().IsDeadlineExceeded()) << late;
    EXPECT_EQ(r.status().message(),
              "GET http://127.0.0.1:9/devices: the job's deadline passed before the request");
  }
}

TEST(SendBefore, DoesNotSendOnceTheDeadlinePassed) {
  // Sent, it would be refused: DeadlineExceeded proves nothing was sent.
  FakeClock clock(kNow);
  Result<Response> r = SendBefore(Get(10000), Instant{kNow.ms - 1}, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsDeadlineExceeded()) << r.status().ToString();
}

// A loopback port that refuses connections for as long as this lives: bound, never listening.
class RefusingPort {
 public:
  RefusingPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~RefusingPort() {
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

TEST(SendBefore, SendsWithinTheDeadline) {
  // The request is sent, so the refusal comes back rather than DeadlineExceeded.
  RefusingPort refusing;
  ASSERT_NE(refusing.port(), 0);
  Request request = Get(2000);
  request.url = "http://127.0.0.1:" + std::to_string(refusing.port()) + "/devices";
  FakeClock clock(kNow);
  Result<Response> r = SendBefore(request, kNow + 2000, clock);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
}

}  // namespace
}  // namespace gps::http
