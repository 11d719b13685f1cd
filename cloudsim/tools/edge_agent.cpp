#include "cloudsim/tools/edge_agent.h"

#include <charconv>

#include "gps/azure/sas_token.h"
#include "gps/crypto/encoding.h"
#include "gps/crypto/sign.h"
#include "gps/json/json.h"

namespace gps::cloudsim::edge {

namespace {

Result<std::int64_t> PositiveInt(const std::string& flag, const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) {
    return Status::InvalidArgument(flag + " needs a positive whole number, not '" + text + "'");
  }
  return v;
}

std::string_view Trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) {
    return {};
  }
  std::size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string Usage() {
  return "gps-edge-agent-sim: the simulated edge agent of the tests: uses a gateway's delivered\n"
         "credentials the way IoT Edge and the Mender client do, against gps-cloudsim.\n"
         "\n"
         "  gps-edge-agent-sim dps --env FILE [--dps-url URL] [--api-version V]\n"
         "                         [--timeout-s N] [--poll-interval-ms N]\n"
         "    Registers with DPS using dps.env (DPS_REGISTRATION_ID, DPS_SYMMETRIC_KEY,\n"
         "    DPS_ID_SCOPE, DPS_GLOBAL_ENDPOINT): PUT {scope}/registrations/{id}/register, then\n"
         "    GET .../operations/{operationId} until assigned. --dps-url replaces\n"
         "    https://{DPS_GLOBAL_ENDPOINT} (e.g. http://127.0.0.1:PORT). Defaults: api-version\n"
         "    2021-06-01, timeout 120 s, poll interval 1000 ms (a retry-after answer wins).\n"
         "    Prints "
         "{\"mode\":\"dps\",\"status\":\"assigned\",\"registrationId\",\"assignedHub\",\n"
         "    \"deviceId\",\"operationId\"}.\n"
         "\n"
         "  gps-edge-agent-sim mender --mender-url URL --key FILE --mac MAC [--tenant-token T]\n"
         "    POST /api/devices/v1/authentication/auth_requests with id_data {\"mac\":MAC}, the\n"
         "    key's public half, signed with the key (RSA, ECDSA P-256 or Ed25519) in\n"
         "    X-MEN-Signature. Prints {\"mode\":\"mender\",\"authorized\",\"http_status\",\n"
         "    \"token\"|\"error\"}.\n"
         "\n"
         "Exit status: 0 assigned / authorized; 1 refused or failed (the reason on stderr);\n"
         "2 bad command line or input file.\n";
}

Result<Options> ParseArgs(const std::vector<std::string>& args) {
  Options o;
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    o.help = true;
    return o;
  }
  if (args.empty() || (args[0] != "dps" && args[0] != "mender")) {
    return Status::InvalidArgument("the first argument must be 'dps' or 'mender' (see --help)");
  }
  o.mode = args[0] == "dps" ? Options::Mode::kDps : Options::Mode::kMender;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      return o;
    }
    std::size_t eq = flag.find('=');
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument(flag + " needs a value");
    }
    bool dps = o.mode == Options::Mode::kDps;
    if (dps && flag == "--env") {
      o.env_file = value;
    } else if (dps && flag == "--dps-url") {
      o.dps_url = value;
    } else if (dps && flag == "--api-version") {
      o.api_version = value;
    } else if (dps && flag == "--timeout-s") {
      GPS_ASSIGN_OR_RETURN(o.timeout_s, PositiveInt(flag, value));
    } else if (dps && flag == "--poll-interval-ms") {
      GPS_ASSIGN_OR_RETURN(o.poll_interval_ms, PositiveInt(flag, value));
    } else if (!dps && flag == "--mender-url") {
      o.mender_url = value;
    } else if (!dps && flag == "--key") {
      o.key_file = value;
    } else if (!dps && flag == "--mac") {
      o.mac = value;
    } else if (!dps && flag == "--tenant-token") {
      o.tenant_token = value;
    } else {
      return Status::InvalidArgument("unknown flag " + flag + " for " + args[0] + " (see --help)");
    }
  }
  while (!o.dps_url.empty() && o.dps_url.back() == '/') {
    o.dps_url.pop_back();
  }
  while (!o.mender_url.empty() && o.mender_url.back() == '/') {
    o.mender_url.pop_back();
  }
  if (o.mode == Options::Mode::kDps && o.env_file.empty()) {
    return Status::InvalidArgument("dps needs --env FILE");
  }
  if (o.mode == Options::Mode::kMender &&
      (o.mender_url.empty() || o.key_file.empty() || o.mac.empty())) {
    return Status::InvalidArgument("mender needs --mender-url, --key and --mac");
  }
  return o;
}

Result<std::map<std::string, std::string>> ParseEnvFile(std::string_view text) {
  std::map<std::string, std::string> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Status::InvalidArgument("line " + std::to_string(line_no) + " is not KEY=value");
    }
    std::string_view value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    out[std::string(Trim(line.substr(0, eq)))] = std::string(value);
  }
  return out;
}

Result<DpsDevice> DpsDeviceFromEnv(const std::map<std::string, std::string>& env) {
  DpsDevice d;
  struct Want {
    const char* name;
    std::string* field;
  };
  for (const Want& w :
       {Want{"DPS_REGISTRATION_ID", &d.registration_id},
        Want{"DPS_SYMMETRIC_KEY", &d.symmetric_key}, Want{"DPS_ID_SCOPE", &d.id_scope},
        Want{"DPS_GLOBAL_ENDPOINT", &d.global_endpoint}}) {
    auto it = env.find(w.name);
    if (it == env.end() || it->second.empty()) {
      return Status::InvalidArgument(std::string(w.name) + " is missing");
    }
    *w.field = it->second;
  }
  if (!crypto::Base64Decode(d.symmetric_key).ok()) {
    return Status::InvalidArgument("DPS_SYMMETRIC_KEY is not base64");
  }
  return d;
}

std::string RegisterUrl(std::string_view base, const DpsDevice& d, std::string_view api_version) {
  return std::string(base) + "/" + crypto::UrlEncode(d.id_scope) + "/registrations/" +
         crypto::UrlEncode(d.registration_id) +
         "/register?api-version=" + crypto::UrlEncode(api_version);
}

std::string OperationUrl(std::string_view base, const DpsDevice& d, std::string_view operation_id,
                         std::string_view api_version) {
  return std::string(base) + "/" + crypto::UrlEncode(d.id_scope) + "/registrations/" +
         crypto::UrlEncode(d.registration_id) + "/operations/" + crypto::UrlEncode(operation_id) +
         "?api-version=" + crypto::UrlEncode(api_version);
}

std::string RegisterBody(const DpsDevice& d) {
  json::Writer w;
  w.BeginObject().Field("registrationId", d.registration_id).EndObject();
  return w.Take();
}

Result<std::string> DeviceSas(const DpsDevice& d, std::int64_t expiry_unix_seconds) {
  return azure::BuildSasToken(d.id_scope + "/registrations/" + d.registration_id, d.symmetric_key,
                              "registration", expiry_unix_seconds);
}

Result<OperationStatus> ParseOperationStatus(std::string_view body) {
  GPS_ASSIGN_OR_RETURN(json::Document doc,
                       json::ParseObject(body, 1 << 20, "registration operation status"));
  json::Value root = doc.Root();
  OperationStatus s;
  GPS_ASSIGN_OR_RETURN(s.operation_id, root.GetString("operationId"));
  GPS_ASSIGN_OR_RETURN(s.status, root.GetString("status"));
  if (std::optional<json::Value> state = root.Find("registrationState")) {
    if (!state->IsObject()) {
      return Status::InvalidArgument("registrationState is not an object");
    }
    GPS_ASSIGN_OR_RETURN(s.registration_id, state->GetStringOr("registrationId", ""));
    GPS_ASSIGN_OR_RETURN(s.assigned_hub, state->GetStringOr("assignedHub", ""));
    GPS_ASSIGN_OR_RETURN(s.device_id, state->GetStringOr("deviceId", ""));
    GPS_ASSIGN_OR_RETURN(s.substatus, state->GetStringOr("substatus", ""));
    GPS_ASSIGN_OR_RETURN(s.error_message, state->GetStringOr("errorMessage", ""));
  }
  return s;
}

std::string DpsResultLine(const OperationStatus& s) {
  json::Writer w;
  w.BeginObject()
      .Field("mode", "dps")
      .Field("status", s.status)
      .Field("registrationId", s.registration_id)
      .Field("assignedHub", s.assigned_hub)
      .Field("deviceId", s.device_id)
      .Field("operationId", s.operation_id)
      .EndObject();
  return w.Take();
}

std::string MenderIdentity(std::string_view mac) {
  json::Writer w;
  w.BeginObject().Field("mac", mac).EndObject();
  return w.Take();
}

std::string MenderAuthBody(std::string_view identity_json, std::string_view pubkey_pem,
                           std::string_view tenant_token) {
  json::Writer w;
  w.BeginObject()
      .Field("id_data", identity_json)
      .Field("pubkey", pubkey_pem)
      .Field("tenant_token", tenant_token)
      .EndObject();
  return w.Take();
}

Result<std::string> MenderSignature(const crypto::PrivateKey& key, std::string_view body) {
  GPS_ASSIGN_OR_RETURN(std::string raw, crypto::Sign(key, body));
  return crypto::Base64Encode(raw);
}

std::string MenderResultLine(int http_status, std::string_view body) {
  json::Writer w;
  bool authorized = http_status == 200;
  w.BeginObject()
      .Field("mode", "mender")
      .Field("authorized", authorized)
      .Field("http_status", http_status);
  if (authorized) {
    w.Field("token", body);
  } else {
    std::string error(body);
    if (Result<json::Document> doc = json::ParseObject(body, 1 << 16, "mender error"); doc.ok()) {
      error = doc->Root().GetStringOr("error", error).value_or(error);
    }
    w.Field("error", error);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace gps::cloudsim::edge
