#include "gps/http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "gps/core/text.h"

namespace gps::http {

namespace {

struct CurlFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Sink {
  Response* response;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->response->body.size() + len > kMaxResponseBytes) {
    sink->too_large = true;
    return 0;  // makes curl abort the transfer
  }
  sink->response->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    sink->response->headers.clear();  // a new response (after 100-continue or a redirect)
    return len;
  }
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    sink->response->headers.push_back({std::string(name), std::string(value)});
  }
  return len;
}

}  // namespace

std::optional<std::string> Response::HeaderValue(std::string_view name) const {
  std::optional<std::string> out;
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) {
      out = h.value;
    }
  }
  return out;
}

struct Client::Impl {
  std::unique_ptr<CURL, CurlFree> curl;
};

Client::Client() : impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->curl.reset(curl_easy_init());
}

Client::~Client() = default;

Result<Response> Client::Send(const Request& request) {
  CURL* c = impl_->curl.get();
  if (c == nullptr) {
    return Status::Internal("http: curl_easy_init failed");
  }
  curl_easy_reset(c);
  Response response;
  Sink sink{&response};
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const Header& h : request.headers) {
    std::string line = h.name + ": " + h.value;
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  }
  // An empty Expect keeps curl from waiting for 100-continue on larger bodies.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<Millis>(request.timeout_ms, 5000)));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // Set on every call: the handle is reused, and so are its options.
  curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, request.idempotent ? 0L : 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!request.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_file.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  std::string target = request.method + " " + request.url;
  if (sink.too_large) {
    return Status::Unavailable(target + ": response larger than " +
                               std::to_string(kMaxResponseBytes) + " bytes");
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Status::DeadlineExceeded(target + ": no answer within " +
                                    std::to_string(request.timeout_ms) + " ms");
  }
  if (rc != CURLE_OK) {
    return Status::Unavailable(target + ": " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace gps::http
