#pragma once
// What the end-to-end tests ask of a running stack, through its REST API and cloudsim's state:
// find a gateway by MAC, approve it, read a device and its steps, read cloudsim's lists.
// Failures to reach the stack read as "not there yet", so callers poll with WaitUntil.
// Not thread-safe beyond what Stack is; for tests only.

#include <optional>
#include <string>
#include <vector>

#include "gps/core/status.h"
#include "gps/json/json.h"
#include "tests/support/stack.h"

namespace gps::testing {

// The device with this MAC in GET /api/devices<query>, if listed.
std::optional<DeviceSummary> FindByMac(Stack& stack, const std::string& query,
                                       const std::string& mac);
// Waits (20 s) until the gateway with this MAC is pending; a test failure and {} otherwise.
DeviceSummary WaitForPending(Stack& stack, const std::string& mac);

// POST /api/devices/{id}/<command> with body; Ok when the UI answered 202.
Status SendDeviceCommand(Stack& stack, const std::string& id, const std::string& command,
                         const std::string& body = "{}");
Status Approve(Stack& stack, const std::string& id, const std::string& name);

// GET /api/devices/{id}, parsed; nullopt while the UI does not know it.
std::optional<json::Document> DeviceDocument(Stack& stack, const std::string& id);
// A string field of the device ("state", "error", ...); "" when absent.
std::string DeviceField(Stack& stack, const std::string& id, const std::string& field);
// A step's "status" ("running", "succeeded", ...); "" when the step does not exist.
std::string StepStatus(Stack& stack, const std::string& id, const std::string& step);
std::int64_t StepAttempt(Stack& stack, const std::string& id, const std::string& step);

// cloudsim state: root[service][list], a test failure and {} when it is not an array.
std::vector<json::Value> ArrayAt(const json::Value& root, const std::string& service,
                                 const std::string& list);

// Ok when the certificate chains, through the intermediates of the ca-chain.crt file's text, to
// the file's last certificate, a self-issued root (what a gateway's TLS peers will check).
Status VerifyAgainstDeliveredChain(const std::string& certificate_pem,
                                   const std::string& ca_chain_pem);

// Ok when the ca-chain.crt text ends in cloudsim's own root (GET /_sim/state, ca.root_pem):
// the delivered CA is the PKI's, not one a bundle brought along.
Status EndsInCloudsimRoot(Stack& stack, const std::string& ca_chain_pem);

// KEY=value lines (dps.env): the value of key, "" when absent.
std::string ReadKeyValue(const std::string& env_text, const std::string& key);

}  // namespace gps::testing
