#pragma once
// SimData: everything the four simulated clouds remember, in memory only (a restart forgets it).
// SimState: SimData behind one mutex, shared by the four servers' threads.
//
// Every request that reads or changes state runs inside one Locked() call, so each request is
// atomic with respect to every other one, across services too (the later DPS device
// registration will touch DPS and IoT Hub data in one step). Expensive work that needs no state
// (key generation, signing) is done before taking the lock.
// Stored JSON fragments (identity data, tag values, initial twins, configuration content) are kept
// as compact JSON text exactly as accepted.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gps::cloudsim {

// ---- Mender (deviceauth + inventory) ----
struct MenderAuthSet {
  std::string id;
  std::string pubkey_pem;  // re-serialised SPKI PEM, as Mender stores it
  std::string status;      // preauthorized | pending | accepted | rejected
  std::string ts;
};

struct MenderDevice {
  std::string id;
  std::string identity_json;  // compact JSON, keys sorted (what Mender hashes)
  std::string identity_hash;  // lower-case hex SHA-256 of identity_json
  std::string status;
  std::string created_ts;
  std::string updated_ts;
  std::vector<MenderAuthSet> auth_sets;
  bool decommissioned = false;
  std::uint64_t seq = 0;  // creation order ("sorted by age")
};

struct InventoryAttribute {
  std::string scope;  // identity | tags | system | inventory | monitor
  std::string name;
  std::string value_json;  // a JSON value: string, number, or array of one of those
  std::optional<std::string> description;
  std::optional<std::string> timestamp;  // tags only
};

struct InventoryDevice {
  std::string id;
  std::vector<InventoryAttribute> attributes;
  std::string tags_etag;  // empty until tags are first written (then no ETag header)
  std::string updated_ts;
  std::uint64_t seq = 0;
};

struct MenderData {
  std::map<std::string, MenderDevice> devices;  // by id, decommissioned ones kept for the dump
  std::map<std::string, InventoryDevice> inventory;
  std::uint64_t next_seq = 1;
};

// ---- Azure DPS (service API) ----
struct DpsEnrollment {
  std::string registration_id;  // as first created (the identity is case-insensitive)
  std::string device_id;
  std::string attestation_type;  // symmetricKey
  std::string primary_key;
  std::string secondary_key;
  bool iot_edge = false;
  std::string provisioning_status;  // enabled | disabled
  std::optional<std::string> initial_twin_json;
  std::optional<std::string> iot_hub_host_name;
  std::optional<std::string> iot_hubs_json;
  std::string allocation_policy;
  std::string reprovision_policy_json;
  std::optional<std::string> custom_allocation_json;
  std::optional<std::string> optional_device_information_json;
  std::string etag;
  std::string created;
  std::string updated;
  std::uint64_t seq = 0;
};

struct DpsRegistration {
  std::string registration_id;
  std::string device_id;
  std::string assigned_hub;
  std::string status;     // unassigned | assigning | assigned | failed | disabled
  std::string substatus;  // initialAssignment | ... ; empty when not assigned
  std::string etag;
  std::string created;
  std::string updated;
};

// One device registration request (PUT {idScope}/registrations/{id}/register) and its outcome,
// as the device API's operation lookup answers it. The simulator completes the assignment within
// the request, so the result is final when the operation is created.
struct DpsOperation {
  std::string operation_id;
  std::string registration_key;  // lower-case registration id
  std::string status;            // assigned | disabled
  DpsRegistration result;        // the registration state as of this operation
};

struct DpsData {
  std::map<std::string, DpsEnrollment> enrollments;      // by lower-case registration id
  std::map<std::string, DpsRegistration> registrations;  // by lower-case registration id
  std::map<std::string, DpsOperation> operations;        // by operation id, the newest kept
  std::deque<std::string> operation_order;               // operation ids, oldest first
  std::uint64_t etag_counter = 0;
  std::uint64_t next_seq = 1;
};

// ---- Vault PKI ----
struct VaultCertificate {
  std::string serial;  // colon-separated lower-case hex
  std::string common_name;
  std::vector<std::string> dns_names;
  std::string pem;
  std::int64_t not_before = 0;
  std::int64_t expiration = 0;  // Unix seconds (NotAfter)
  bool revoked = false;
  std::int64_t revocation_time = 0;
  std::string revocation_time_rfc3339;
  std::uint64_t seq = 0;
};

struct VaultData {
  std::map<std::string, VaultCertificate> certificates;  // by serial
  std::uint64_t next_seq = 1;
};

// ---- Azure IoT Hub (identity registry) ----
struct HubDevice {
  std::string device_id;
  std::string generation_id;
  std::string etag;
  std::string status;  // enabled | disabled
  std::optional<std::string> status_reason;
  std::string auth_type;  // sas | selfSigned | certificateAuthority | none
  std::optional<std::string> primary_key;
  std::optional<std::string> secondary_key;
  std::optional<std::string> primary_thumbprint;
  std::optional<std::string> secondary_thumbprint;
  bool iot_edge = false;
  std::string device_scope;
  std::string status_updated_time;
  std::optional<std::string> configuration_content_json;  // last applyConfigurationContent body
  std::uint64_t seq = 0;
};

struct HubData {
  std::map<std::string, HubDevice> devices;  // by device id (case-sensitive in IoT Hub)
  std::uint64_t etag_counter = 0;
  std::uint64_t next_seq = 1;
};

struct SimData {
  MenderData mender;
  DpsData dps;
  VaultData vault;
  HubData hub;
  std::string ca_root_pem;
  std::string ca_intermediate_pem;
};

class SimState {
 public:
  SimState() = default;
  SimState(const SimState&) = delete;
  SimState& operator=(const SimState&) = delete;

  // Runs fn(SimData&) with the state locked and returns what fn returns.
  template <typename Fn>
  auto Locked(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    return fn(data_);
  }

 private:
  std::mutex mu_;
  SimData data_;
};

}  // namespace gps::cloudsim
