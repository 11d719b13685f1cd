#pragma once
// The fixture of the engine's tests against a real redis-server: a SagaStore and a plain
// connection (to look at or disturb keys the way a crash would) on a key prefix of the test's
// own, so tests sharing one Redis stay apart. Tests only; not thread-safe.

#include <gtest/gtest.h>

#include <string>

#include "engine/store/saga_store.h"
#include "tests/support/services.h"

namespace gps::engine {

class StoreTest : public ::testing::Test {
 protected:
  explicit StoreTest(const std::string& name)
      : dir_("gps-" + name), keys_("gps-" + name + "-" + testing::UniqueSuffix()) {}

  void SetUp() override {
    ASSERT_TRUE(store_.Open().ok());
    ASSERT_TRUE(redis_.Connect().ok());
  }

  testing::TempDir dir_;
  testing::TestServices services_{dir_.path()};
  redis::Keys keys_;
  SagaStore store_{services_.redis_endpoint(), keys_};
  redis::Connection redis_{services_.redis_endpoint()};
};

}  // namespace gps::engine
