#include "gps/log/throttle.h"

#include <gtest/gtest.h>

namespace gps::log {
namespace {

TEST(Throttle, TheFirstLineIsWrittenAndAFloodIsHeldBackUntilTheIntervalHasPassed) {
  Throttle t(60'000);
  EXPECT_EQ(t.Admit(Instant{1'000}), 0u);
  for (int i = 1; i < 100; ++i) {
    EXPECT_EQ(t.Admit(Instant{1'000 + i * 100}), std::nullopt) << i;
  }
  EXPECT_EQ(t.Admit(Instant{60'999}), std::nullopt);
  // The next line says how many were held back, and starts the count again.
  EXPECT_EQ(t.Admit(Instant{61'000}), 100u);
  EXPECT_EQ(t.Admit(Instant{61'001}), std::nullopt);
  EXPECT_EQ(t.Admit(Instant{200'000}), 1u);
}

TEST(Throttle, AClockThatWentBackDoesNotSilenceTheLog) {
  Throttle t(60'000);
  EXPECT_EQ(t.Admit(Instant{100'000}), 0u);
  EXPECT_EQ(t.Admit(Instant{50'000}), 0u);
  EXPECT_EQ(t.Admit(Instant{50'001}), std::nullopt);
}

}  // namespace
}  // namespace gps::log
