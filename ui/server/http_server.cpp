#include "ui/server/http_server.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <thread>

#include "gps/json/json.h"
#include "gps/log/log.h"
#include "gps/metrics/counters.h"

namespace gps::ui {

namespace {

void ListenSocketOptions(int sock) {
  // Lets a restarted server bind while old connections sit in TIME_WAIT, but (unlike
  // SO_REUSEPORT, the library's default) never lets two servers share the port.
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

// The library reports a failed bind as false only; ask the kernel ourselves for the reason.
std::string BindFailureReason(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return std::string("cannot resolve the address: ") + gai_strerror(rc);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  int sock = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (sock < 0) {
    return std::string("socket: ") + std::strerror(errno);
  }
  ListenSocketOptions(sock);
  std::string reason = "the address could not be bound";
  if (bind(sock, found->ai_addr, found->ai_addrlen) != 0) {
    reason = std::strerror(errno);
  } else if (listen(sock, 1) != 0) {
    reason = std::strerror(errno);
  }
  close(sock);
  return reason;
}

void AddCommonHeaders(httplib::Response& res) {
  auto set_default = [&](const char* name, const std::string& value) {
    if (!res.has_header(name)) {
      res.set_header(name, value);
    }
  };
  using namespace std::chrono;
  set_default("Date", FormatHttpDate(
                          duration_cast<seconds>(system_clock::now().time_since_epoch()).count()));
  set_default("Cache-Control", "no-store");
  set_default("X-Content-Type-Options", "nosniff");
  set_default("X-Frame-Options", "DENY");
  set_default("Referrer-Policy", "no-referrer");
}

std::string ErrorBody(std::string_view message) {
  return "{\"error\":" + json::Quote(message) + "}";
}

// Streams the body in chunks until the stream function says it is done (the chunked body then
// ends properly) or the client is gone (the connection is dropped).
void StreamBody(httplib::Response& res, std::function<bool(const StreamWrite& write)> stream,
                const std::string& content_type) {
  res.set_chunked_content_provider(content_type, [stream = std::move(stream)](
                                                     std::size_t, httplib::DataSink& sink) {
    bool client_there = true;
    StreamWrite write = [&](std::string_view piece) {
      client_there = client_there && sink.is_writable() && sink.write(piece.data(), piece.size());
      return client_there;
    };
    bool more = stream(write);
    if (!client_there) {
      return false;
    }
    if (!more) {
      sink.done();
    }
    return true;
  });
}

}  // namespace

std::string FormatHttpDate(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

struct HttpServer::Impl {
  httplib::Server server;
};

HttpServer::HttpServer(HttpServerOptions options, const Router& router)
    : options_(std::move(options)), router_(router), impl_(std::make_unique<Impl>()) {
  httplib::Server& s = impl_->server;
  const std::size_t threads = static_cast<std::size_t>(options_.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_socket_options(ListenSocketOptions);
  s.set_payload_max_length(options_.max_body_bytes);
  // One request per connection: an idle keep-alive connection would hold a pool thread (the page
  // polls every 2 s, so each open tab would pin one) and delay shutdown by the keep-alive timeout.
  s.set_keep_alive_max_count(1);

  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    HttpRequest r;
    // The library answers HEAD with the GET handler and drops the body itself.
    r.method = req.method == "HEAD" ? "GET" : req.method;
    r.path = req.path;
    r.query.insert(req.params.begin(), req.params.end());
    r.headers.assign(req.headers.begin(), req.headers.end());
    r.body = req.body;
    HttpResponse out = router_.Dispatch(r);
    res.status = out.status;
    for (const auto& [name, value] : out.headers) {
      res.set_header(name, value);
    }
    if (out.stream) {
      StreamBody(res, std::move(out.stream), out.content_type);
    } else {
      res.set_content(std::move(out.body), out.content_type);
    }
    AddCommonHeaders(res);
  };
  s.Get(".*", handle);
  s.Post(".*", handle);
  s.Put(".*", handle);
  s.Patch(".*", handle);
  s.Delete(".*", handle);
  s.Options(".*", handle);

  // Errors raised inside the library, before any handler ran, arrive with an empty body.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        metrics::Inc("ui.http_refused_by_server");
        std::string message = res.status == 413 ? "the request body is too large"
                                                : "the request could not be read (HTTP " +
                                                      std::to_string(res.status) + ")";
        res.set_content(ErrorBody(message), "application/json");
        AddCommonHeaders(res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        metrics::Inc("ui.http_exceptions");
        log::Error("request failed with an exception",
                   {{"path", req.path.substr(0, 200)}, {"err", what}});
        res.status = 500;
        res.set_content(ErrorBody("internal error"), "application/json");
        AddCommonHeaders(res);
      });
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    metrics::Inc("ui.http_requests");
    log::Debug("http request",
               {{"method", req.method}, {"path", req.path.substr(0, 200)}, {"status", res.status}});
  });
}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind() {
  httplib::Server& s = impl_->server;
  if (options_.port == 0) {
    int port = s.bind_to_any_port(options_.bind);
    if (port <= 0) {
      return Status::Unavailable("cannot listen on " + options_.bind + ": " +
                                 BindFailureReason(options_.bind, 0));
    }
    return port;
  }
  if (!s.bind_to_port(options_.bind, options_.port)) {
    return Status::Unavailable("cannot listen on " + options_.bind + " port " +
                               std::to_string(options_.port) + ": " +
                               BindFailureReason(options_.bind, options_.port));
  }
  return options_.port;
}

bool HttpServer::Run() {
  run_entered_ = true;
  bool ok = stop_requested_ || impl_->server.listen_after_bind();
  run_finished_ = true;
  return ok;
}

void HttpServer::Stop() {
  stop_requested_ = true;
  // The library's stop() only acts on a loop that is already running; Run() may be entering it.
  while (run_entered_ && !run_finished_) {
    impl_->server.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace gps::ui
