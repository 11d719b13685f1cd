#include "cloudsim/server/http_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <thread>

#include "gps/core/text.h"
#include "gps/crypto/encoding.h"
#include "gps/log/log.h"

namespace gps::cloudsim {

namespace {

void Reply(const ApiResponse& in, httplib::Response& out) {
  out.status = in.status;
  std::string content_type;
  for (const HeaderField& h : in.headers) {
    if (EqualsIgnoreCase(h.name, "Content-Type")) {
      content_type = h.value;
    } else {
      out.headers.emplace(h.name, h.value);
    }
  }
  if (!in.body.empty() || !content_type.empty()) {
    out.set_content(in.body, content_type.empty() ? "text/plain" : content_type);
  }
}

// cpp-httplib 0.11 percent-decodes every request header value (except Location and Referer)
// before handlers see it, so what a client sent cannot be recovered in general. The one header
// whose value is percent-encoded on the wire is an Azure SharedAccessSignature: its fields
// (sr, sig, se, skn) are URL-encoded, and a decoded signature containing '+' would then be read
// as a space. Re-encode the fields so the services parse the header as it was sent (exactly for
// sig; for sr in the canonical upper-case form Azure's SDKs produce).
std::string RestoreSasEncoding(const std::string& value) {
  constexpr std::string_view kScheme = "SharedAccessSignature ";
  if (value.rfind(kScheme, 0) != 0 || value.find('%') != std::string::npos) {
    return value;  // not a SAS, or still encoded (the library did not decode it)
  }
  std::string out(kScheme);
  std::string_view rest = std::string_view(value).substr(kScheme.size());
  bool first = true;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view field = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = field.find('=');
    out += first ? "" : "&";
    first = false;
    if (eq == std::string_view::npos) {
      out += field;
      continue;
    }
    out += field.substr(0, eq + 1);
    out += crypto::UrlEncode(field.substr(eq + 1));
  }
  return out;
}

// Numeric host and port of a socket address, formatted as cpp-httplib formats the addresses it
// puts into Request (getnameinfo with NI_NUMERICHOST).
bool AddressOf(const sockaddr_storage& addr, socklen_t len, std::string* host, int* port) {
  char buf[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, buf, sizeof(buf), nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return false;
  }
  *host = buf;
  if (addr.ss_family == AF_INET) {
    *port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    *port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  } else {
    return false;
  }
  return true;
}

// The descriptor of the accepted connection a request came in on. cpp-httplib does not give
// handlers the socket, so look it up by its two endpoints: no other socket of this process has
// the same local and peer address.
int FindConnection(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return -1;
  }
  int found = -1;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) {
      continue;
    }
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof(peer);
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;  // not a connected socket
    }
    std::string host;
    int port = 0;
    if (!AddressOf(peer, peer_len, &host, &port) || port != req.remote_port ||
        host != req.remote_addr) {
      continue;
    }
    sockaddr_storage local{};
    socklen_t local_len = sizeof(local);
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        !AddressOf(local, local_len, &host, &port) ||
        (req.local_port > 0 && (port != req.local_port || host != req.local_addr))) {
      continue;
    }
    found = static_cast<int>(fd);
    break;
  }
  closedir(dir);
  return found;
}

// Closes the request's TCP connection without sending a byte: the close is made abortive (the
// client gets a reset) and the descriptor number is taken over by /dev/null, so the library's own
// attempt to write a response fails without touching the network (no SIGPIPE either) and its
// later close() releases /dev/null. Runs on the connection's own thread, which owns the
// descriptor until the handler returns, so nothing else can close or reuse it meanwhile.
bool CloseWithoutAnswer(const httplib::Request& req) {
  int fd = FindConnection(req);
  if (fd < 0) {
    return false;
  }
  linger abortive{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    shutdown(fd, SHUT_RDWR);  // still no answer reaches the client
    return true;
  }
  bool replaced = dup3(null_fd, fd, O_CLOEXEC) == fd;
  close(null_fd);
  if (!replaced) {
    shutdown(fd, SHUT_RDWR);
  }
  return true;
}

}  // namespace

struct HttpServer::Impl {
  httplib::Server server;
  std::thread thread;
};

HttpServer::HttpServer(Dispatcher* dispatcher, std::size_t max_body_bytes, std::size_t threads)
    : impl_(std::make_unique<Impl>()) {
  httplib::Server& s = impl_->server;
  s.set_payload_max_length(max_body_bytes);
  // One thread per open connection: keep-alive clients and hanging requests each hold one.
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  auto handler = [dispatcher](const httplib::Request& req, httplib::Response& res) {
    try {
      std::vector<HeaderField> headers;
      for (const auto& [name, value] : req.headers) {
        headers.push_back(
            {name, EqualsIgnoreCase(name, "Authorization") ? RestoreSasEncoding(value) : value});
      }
      // The library answers HEAD through the GET handlers and drops the body itself.
      std::string method = req.method == "HEAD" ? "GET" : req.method;
      Result<ApiRequest> request =
          MakeRequest(std::move(method), req.target, std::move(headers), req.body);
      if (!request.ok()) {
        Reply(ApiResponse{400, {{"Content-Type", "text/plain"}}, request.status().message()}, res);
        return;
      }
      Served served = dispatcher->Serve(*request);
      if (served.close_without_answer) {
        if (!CloseWithoutAnswer(req)) {
          log::Error("cannot find the connection to drop",
                     {{"service", dispatcher->service_name()}, {"err", "no matching socket"}});
          Reply(ApiResponse{500, {{"Content-Type", "text/plain"}}, "injected drop failed"}, res);
        }
        return;
      }
      Reply(served.response, res);
    } catch (const std::exception& e) {
      log::Error("request handler failed",
                 {{"service", dispatcher->service_name()}, {"err", e.what()}});
      Reply(ApiResponse{500, {{"Content-Type", "text/plain"}}, "internal error"}, res);
    } catch (...) {
      log::Error("request handler failed",
                 {{"service", dispatcher->service_name()}, {"err", "unknown exception"}});
      Reply(ApiResponse{500, {{"Content-Type", "text/plain"}}, "internal error"}, res);
    }
  };
  const std::string any = "[\\s\\S]*";
  s.Get(any, handler);
  s.Post(any, handler);
  s.Put(any, handler);
  s.Patch(any, handler);
  s.Delete(any, handler);
  s.Options(any, handler);
}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind(const std::string& host, int port) {
  httplib::Server& s = impl_->server;
  if (port == 0) {
    int bound = s.bind_to_any_port(host);
    if (bound <= 0) {
      return Status::Unavailable("cannot bind " + host + " to a free port");
    }
    port_ = bound;
  } else {
    if (!s.bind_to_port(host, port)) {
      return Status::Unavailable("cannot bind " + host + ":" + std::to_string(port));
    }
    port_ = port;
  }
  return port_;
}

void HttpServer::Start() {
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

bool HttpServer::WaitUntilRunning(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!impl_->server.is_running()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void HttpServer::Stop() {
  if (impl_->thread.joinable()) {
    // stop() only ends an accept loop that has started; one still starting would never end.
    WaitUntilRunning(std::chrono::seconds(2));
    impl_->server.stop();
    impl_->thread.join();
  }
}

}  // namespace gps::cloudsim
