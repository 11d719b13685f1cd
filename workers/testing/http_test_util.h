#pragma once
// Test-only helpers for the workers' unit tests: the cloud's answer as an http::Response, and the
// headers of an http::Request a worker built. Stateless, so thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "gps/http/client.h"

namespace gps::worker::testing {

// An answer of the cloud API, as the HTTP client hands it to a step.
http::Response MakeResponse(int status, std::string body, std::vector<http::Header> headers = {});

// The value of the request's header `name` (exact name), "" when absent. A header sent twice is a
// test failure: a cloud API would see both.
std::string Header(const http::Request& r, std::string_view name);

bool HasHeader(const http::Request& r, std::string_view name);

}  // namespace gps::worker::testing
