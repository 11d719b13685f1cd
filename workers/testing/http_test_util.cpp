#include "workers/testing/http_test_util.h"

#include <gtest/gtest.h>

namespace gps::worker::testing {

http::Response MakeResponse(int status, std::string body, std::vector<http::Header> headers) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string Header(const http::Request& r, std::string_view name) {
  std::string out;
  int seen = 0;
  for (const http::Header& h : r.headers) {
    if (h.name == name) {
      out = h.value;
      ++seen;
    }
  }
  EXPECT_LE(seen, 1) << "header " << name << " repeated";
  return out;
}

bool HasHeader(const http::Request& r, std::string_view name) {
  for (const http::Header& h : r.headers) {
    if (h.name == name) {
      return true;
    }
  }
  return false;
}

}  // namespace gps::worker::testing
