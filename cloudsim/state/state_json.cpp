#include "cloudsim/state/state_json.h"

#include <algorithm>
#include <vector>

#include "cloudsim/dps/enrollment.h"
#include "cloudsim/hub/hub_api.h"
#include "cloudsim/mender/mender_api.h"
#include "gps/json/json.h"

namespace gps::cloudsim {

namespace {

// Map values in creation order, so the dump reads chronologically.
template <typename Map>
std::vector<const typename Map::mapped_type*> InOrder(const Map& map) {
  std::vector<const typename Map::mapped_type*> out;
  for (const auto& [key, value] : map) {
    out.push_back(&value);
  }
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
  return out;
}

void WriteMender(json::Writer& w, const MenderData& m) {
  w.Key("mender").BeginObject().Key("devices").BeginArray();
  for (const MenderDevice* d : InOrder(m.devices)) {
    w.BeginObject();
    w.Field("id", d->id);
    w.Key("identity_data").Raw(d->identity_json);
    w.Field("identity_hash", d->identity_hash);
    w.Field("status", d->status);
    w.Field("decommissioned", d->decommissioned);
    w.Field("created_ts", d->created_ts);
    w.Field("updated_ts", d->updated_ts);
    w.Key("auth_sets").BeginArray();
    for (const MenderAuthSet& a : d->auth_sets) {
      w.BeginObject()
          .Field("id", a.id)
          .Field("pubkey", a.pubkey_pem)
          .Field("status", a.status)
          .Field("ts", a.ts)
          .EndObject();
    }
    w.EndArray();
    auto inv = m.inventory.find(d->id);
    w.Key("inventory");
    if (inv == m.inventory.end()) {
      w.Null();
    } else {
      mender::WriteInventoryDevice(w, inv->second);
    }
    w.Key("tags_etag");
    if (inv == m.inventory.end() || inv->second.tags_etag.empty()) {
      w.Null();
    } else {
      w.String(inv->second.tags_etag);
    }
    w.Key("tags").BeginArray();
    if (inv != m.inventory.end()) {
      for (const InventoryAttribute& a : inv->second.attributes) {
        if (a.scope != "tags") {
          continue;
        }
        w.BeginObject().Field("name", a.name);
        w.Key("value").Raw(a.value_json);
        if (a.description) {
          w.Field("description", *a.description);
        }
        if (a.timestamp) {
          w.Field("timestamp", *a.timestamp);
        }
        w.EndObject();
      }
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray().EndObject();
}

void WriteDps(json::Writer& w, const DpsData& d) {
  w.Key("dps").BeginObject().Key("enrollments").BeginArray();
  for (const DpsEnrollment* e : InOrder(d.enrollments)) {
    dps::WriteEnrollment(w, *e, nullptr);
  }
  w.EndArray().Key("registrations").BeginArray();
  for (const auto& [key, r] : d.registrations) {
    dps::WriteRegistration(w, r);
  }
  w.EndArray().EndObject();
}

void WriteVault(json::Writer& w, const VaultData& v) {
  w.Key("vault").BeginObject().Key("certificates").BeginArray();
  for (const VaultCertificate* c : InOrder(v.certificates)) {
    w.BeginObject();
    w.Field("serial", c->serial);
    w.Field("common_name", c->common_name);
    w.Key("dns_names").BeginArray();
    for (const std::string& n : c->dns_names) {
      w.String(n);
    }
    w.EndArray();
    w.Field("pem", c->pem);
    w.Field("not_before", c->not_before);
    w.Field("expiration", c->expiration);
    w.Field("revoked", c->revoked);
    w.Key("revocation_time");
    if (c->revoked) {
      w.Int(c->revocation_time);
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
}

void WriteHub(json::Writer& w, const HubData& h) {
  w.Key("hub").BeginObject().Key("devices").BeginArray();
  for (const HubDevice* d : InOrder(h.devices)) {
    // The registry's Device object plus what was applied with applyConfigurationContent.
    json::Writer device;
    hub::WriteDevice(device, *d);
    std::string text = device.Take();
    text.pop_back();  // reopen the object to append one member
    text += ",\"configurationContent\":";
    text += d->configuration_content_json.value_or("null");
    text += "}";
    w.Raw(text);
  }
  w.EndArray().EndObject();
}

}  // namespace

std::string DumpStateJson(const SimData& data) {
  json::Writer w;
  w.BeginObject();
  w.Key("ca").BeginObject();
  w.Field("root_pem", data.ca_root_pem);
  w.Field("intermediate_pem", data.ca_intermediate_pem);
  w.EndObject();
  WriteMender(w, data.mender);
  WriteDps(w, data.dps);
  WriteVault(w, data.vault);
  WriteHub(w, data.hub);
  w.EndObject();
  return w.Take();
}

}  // namespace gps::cloudsim
