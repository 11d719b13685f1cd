#pragma once
// CertificateCache: what this vault worker process has read of Vault's stored certificates, by
// serial, so that finding a device's earlier certificates (vault_step) reads each certificate
// once per process instead of once per retry. Certificates are immutable, so an entry never goes
// stale except for `revoked`, which only ever turns true: MarkRevoked records the revocations this
// process makes, and an entry still "live" for a certificate revoked elsewhere costs at most one
// revoke call that Vault answers as done.
//
// Bounded: at capacity, the entries of certificates already expired are dropped (at most once a
// minute); when that frees nothing, a new entry is not kept and its certificate is read again next
// time. A scan over every serial then keeps a stable part of the mount cached, where evicting the
// oldest entry would make every scan of a mount larger than the cache miss on every serial.
// Capacity 0 keeps nothing.
//
// Thread-safe: every method takes one mutex. Keys are serials as NormalizeSerial writes them.

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gps/core/clock.h"
#include "workers/vault/vault_client.h"

namespace gps::worker::vault {

class CertificateCache {
 public:
  explicit CertificateCache(std::size_t capacity) : capacity_(capacity) {}
  CertificateCache(const CertificateCache&) = delete;
  CertificateCache& operator=(const CertificateCache&) = delete;

  std::optional<StoredCertificate> Find(const std::string& serial) const;
  // Keeps certificate under serial unless the cache is full (see above); now decides which
  // entries have expired.
  void Put(const std::string& serial, StoredCertificate certificate, Instant now);
  // Records that serial is revoked now; a serial not in the cache is left out.
  void MarkRevoked(const std::string& serial);
  std::size_t size() const;

 private:
  static constexpr Millis kPurgeIntervalMs = 60'000;

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, StoredCertificate> entries_;
  Instant next_purge_;
};

}  // namespace gps::worker::vault
