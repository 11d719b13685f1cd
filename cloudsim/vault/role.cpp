#include "cloudsim/vault/role.h"

#include "gps/core/text.h"

namespace gps::cloudsim::vault {

namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool HasSuffixIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

bool IsHostname(std::string_view name) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  if (name.empty() || name.size() > 253) {
    return false;
  }
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || !IsAlnum(label.front()) || !IsAlnum(label.back())) {
      return false;
    }
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

std::string FirstDisallowedName(const VaultRole& role, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::string_view reduced = name;
    std::size_t at = reduced.find('@');
    if (at != std::string_view::npos) {
      reduced = reduced.substr(at + 1);
    }
    if (reduced.find('*') != std::string_view::npos) {
      return name;  // wildcard certificates are not simulated
    }
    if (role.enforce_hostnames && !IsHostname(reduced)) {
      return name;
    }
    if (role.allow_any_name) {
      continue;
    }
    if (role.allow_localhost) {
      if (EqualsIgnoreCase(reduced, "localhost") || EqualsIgnoreCase(reduced, "localdomain")) {
        continue;
      }
      if (role.allow_subdomains && (HasSuffixIgnoreCase(reduced, ".localhost") ||
                                    HasSuffixIgnoreCase(reduced, ".localdomain"))) {
        continue;
      }
    }
    bool ok = false;
    for (const std::string& domain : role.allowed_domains) {
      if (domain.empty()) {
        continue;
      }
      if (role.allow_bare_domains && EqualsIgnoreCase(reduced, domain)) {
        ok = true;
        break;
      }
      if (role.allow_subdomains && HasSuffixIgnoreCase(reduced, "." + domain)) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      return name;
    }
  }
  return "";
}

Status ValidateRole(const VaultRole& role) {
  if (role.key_type == "rsa") {
    if (role.key_bits != 2048 && role.key_bits != 3072 && role.key_bits != 4096 &&
        role.key_bits != 8192) {
      return Status::InvalidArgument("unsupported bit length for RSA key: " +
                                     std::to_string(role.key_bits));
    }
  } else if (role.key_type == "ec") {
    if (role.key_bits != 224 && role.key_bits != 256 && role.key_bits != 384 &&
        role.key_bits != 521) {
      return Status::InvalidArgument("unsupported bit length for EC key: " +
                                     std::to_string(role.key_bits));
    }
  } else if (role.key_type != "ed25519" && role.key_type != "any") {
    return Status::InvalidArgument("unknown key type " + role.key_type +
                                   " (rsa, ec, ed25519 or any)");
  }
  if (role.ttl_s <= 0 || role.max_ttl_s <= 0) {
    return Status::InvalidArgument("role ttl and max_ttl must be positive");
  }
  if (role.ttl_s > role.max_ttl_s) {
    return Status::InvalidArgument("role ttl must not exceed max_ttl");
  }
  return Status::Ok();
}

}  // namespace gps::cloudsim::vault
