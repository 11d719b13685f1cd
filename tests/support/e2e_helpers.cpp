#include "tests/support/e2e_helpers.h"

#include <gtest/gtest.h>

#include <chrono>

#include "gps/crypto/x509.h"
#include "tests/support/subprocess.h"

namespace gps::testing {

std::optional<DeviceSummary> FindByMac(Stack& stack, const std::string& query,
                                       const std::string& mac) {
  for (const DeviceSummary& d : stack.ListDevices(query)) {
    if (d.mac == mac) {
      return d;
    }
  }
  return std::nullopt;
}

DeviceSummary WaitForPending(Stack& stack, const std::string& mac) {
  std::optional<DeviceSummary> found;
  WaitUntil([&] { return (found = FindByMac(stack, "?state=pending", mac)).has_value(); },
            std::chrono::seconds(20), std::chrono::milliseconds(200));
  if (!found) {
    ADD_FAILURE() << "gateway " << mac << " never became pending\n" << stack.Logs();
    return {};
  }
  return *found;
}

Status SendDeviceCommand(Stack& stack, const std::string& id, const std::string& command,
                         const std::string& body) {
  GPS_ASSIGN_OR_RETURN(http::Response r,
                       stack.PostJson(stack.ui_url() + "/api/devices/" + id + "/" + command, body));
  if (r.status != 202) {
    return Status::Internal(command + ": HTTP " + std::to_string(r.status) + " " + r.body);
  }
  return Status::Ok();
}

Status Approve(Stack& stack, const std::string& id, const std::string& name) {
  return SendDeviceCommand(stack, id, "approve", R"({"name":")" + name + "\"}");
}

std::optional<json::Document> DeviceDocument(Stack& stack, const std::string& id) {
  Result<http::Response> r = stack.Get(stack.ui_url() + "/api/devices/" + id);
  if (!r.ok() || r->status != 200) {
    return std::nullopt;
  }
  Result<json::Document> doc = json::ParseObject(r->body, 1 << 20, "device");
  if (!doc.ok()) {
    return std::nullopt;
  }
  return std::move(doc).value();
}

std::string DeviceField(Stack& stack, const std::string& id, const std::string& field) {
  std::optional<json::Document> d = DeviceDocument(stack, id);
  return d ? d->Root().GetStringOr(field, "").value_or("") : "";
}

namespace {

std::optional<json::Value> StepOf(const json::Document& device, const std::string& step) {
  Result<json::Value> steps = device.Root().GetObject("steps");
  if (!steps.ok()) {
    return std::nullopt;
  }
  Result<json::Value> st = steps->GetObject(step);
  return st.ok() ? std::optional<json::Value>(*st) : std::nullopt;
}

}  // namespace

std::string StepStatus(Stack& stack, const std::string& id, const std::string& step) {
  std::optional<json::Document> d = DeviceDocument(stack, id);
  std::optional<json::Value> st = d ? StepOf(*d, step) : std::nullopt;
  return st ? st->GetStringOr("status", "").value_or("") : "";
}

std::int64_t StepAttempt(Stack& stack, const std::string& id, const std::string& step) {
  std::optional<json::Document> d = DeviceDocument(stack, id);
  std::optional<json::Value> st = d ? StepOf(*d, step) : std::nullopt;
  return st ? st->GetIntOr("attempt", 0).value_or(0) : 0;
}

std::vector<json::Value> ArrayAt(const json::Value& root, const std::string& service,
                                 const std::string& list) {
  Result<json::Value> s = root.GetObject(service);
  if (!s.ok()) {
    ADD_FAILURE() << s.status().ToString();
    return {};
  }
  Result<std::vector<json::Value>> items = s->GetArray(list);
  if (!items.ok()) {
    ADD_FAILURE() << items.status().ToString();
    return {};
  }
  return *items;
}

Status VerifyAgainstDeliveredChain(const std::string& certificate_pem,
                                   const std::string& ca_chain_pem) {
  GPS_ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(certificate_pem));
  GPS_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                       crypto::Certificate::ChainFromPem(ca_chain_pem));
  if (chain.size() < 2) {
    return Status::InvalidArgument("the CA chain holds " + std::to_string(chain.size()) +
                                   " certificate(s); expected intermediates and a root");
  }
  std::vector<crypto::Certificate> roots;
  roots.push_back(std::move(chain.back()));
  chain.pop_back();
  if (!roots[0].IsSelfIssued()) {
    return Status::InvalidArgument("the CA chain's last certificate is not a self-issued root");
  }
  return crypto::VerifyChain(cert, chain, roots);
}

Status EndsInCloudsimRoot(Stack& stack, const std::string& ca_chain_pem) {
  GPS_ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                       crypto::Certificate::ChainFromPem(ca_chain_pem));
  GPS_ASSIGN_OR_RETURN(json::Document state, stack.CloudsimState());
  GPS_ASSIGN_OR_RETURN(json::Value ca, state.Root().GetObject("ca"));
  GPS_ASSIGN_OR_RETURN(std::string root_pem, ca.GetString("root_pem", 1 << 16));
  GPS_ASSIGN_OR_RETURN(crypto::Certificate root, crypto::Certificate::FromPem(root_pem));
  if (chain.empty() || chain.back().Pem() != root.Pem()) {
    return Status::InvalidArgument("the delivered CA chain does not end in cloudsim's root");
  }
  return Status::Ok();
}

std::string ReadKeyValue(const std::string& env_text, const std::string& key) {
  std::string prefix = key + "=";
  std::size_t pos = 0;
  while (pos < env_text.size()) {
    std::size_t end = env_text.find('\n', pos);
    if (end == std::string::npos) {
      end = env_text.size();
    }
    std::string line = env_text.substr(pos, end - pos);
    if (line.rfind(prefix, 0) == 0) {
      return line.substr(prefix.size());
    }
    pos = end + 1;
  }
  return "";
}

}  // namespace gps::testing
