#include "cloudsim/hub/dps_registration.h"

#include "cloudsim/dps/dps_api.h"
#include "cloudsim/hub/hub_api.h"
#include "gps/core/text.h"

namespace gps::cloudsim {

Result<DpsRegistration> RegisterDeviceFromEnrollment(SimData& data,
                                                     std::string_view registration_id,
                                                     std::string_view hub_host, Instant now) {
  std::string key = ToLower(registration_id);
  auto it = data.dps.enrollments.find(key);
  if (it == data.dps.enrollments.end()) {
    return Status::NotFound("no enrollment for registration id " + std::string(registration_id));
  }
  const DpsEnrollment& e = it->second;
  if (e.provisioning_status != "enabled") {
    return Status::FailedPrecondition("enrollment " + e.registration_id + " is disabled");
  }
  std::string stamp = FormatRfc3339(now);
  std::string hub = e.iot_hub_host_name.value_or(std::string(hub_host));

  HubDevice& d = data.hub.devices[e.device_id];
  bool created = d.device_id.empty();
  if (created) {
    d.device_id = e.device_id;
    d.generation_id = hub::NewGenerationId();
    d.status = "enabled";
    d.status_updated_time = "0001-01-01T00:00:00Z";
    d.seq = data.hub.next_seq++;
  }
  d.auth_type = "sas";
  d.primary_key = e.primary_key;
  d.secondary_key = e.secondary_key;
  d.primary_thumbprint.reset();
  d.secondary_thumbprint.reset();
  d.iot_edge = e.iot_edge;
  d.device_scope = e.iot_edge ? "ms-azure-iot-edge://" + d.device_id + "-" + d.generation_id : "";
  d.etag = hub::NextEtag(&data.hub.etag_counter);

  DpsRegistration& r = data.dps.registrations[key];
  if (r.registration_id.empty()) {
    r.registration_id = e.registration_id;
    r.created = stamp;
  }
  r.device_id = e.device_id;
  r.assigned_hub = hub;
  r.status = "assigned";
  r.updated = stamp;
  r.etag = dps::NextEtag(&data.dps.etag_counter);
  return r;
}

}  // namespace gps::cloudsim
