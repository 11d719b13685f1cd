#include "workers/vault/certificate_cache.h"

namespace gps::worker::vault {

std::optional<StoredCertificate> CertificateCache::Find(const std::string& serial) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(serial);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second;
}

void CertificateCache::Put(const std::string& serial, StoredCertificate certificate, Instant now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(serial);
  if (it != entries_.end()) {
    it->second.revoked = it->second.revoked || certificate.revoked;
    return;
  }
  if (entries_.size() >= capacity_ && now >= next_purge_) {
    // A full scan of the map, so not on every Put of a full cache.
    next_purge_ = now + kPurgeIntervalMs;
    const std::int64_t now_s = now.ms / 1000;
    std::erase_if(entries_, [now_s](const auto& entry) { return entry.second.not_after < now_s; });
  }
  if (entries_.size() < capacity_) {
    entries_.emplace(serial, std::move(certificate));
  }
}

void CertificateCache::MarkRevoked(const std::string& serial) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(serial);
  if (it != entries_.end()) {
    it->second.revoked = true;
  }
}

std::size_t CertificateCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace gps::worker::vault
