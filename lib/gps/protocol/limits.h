#pragma once
// Size limits of every message the project accepts, in one place (docs/protocol.md repeats them).
// The broker's max_packet_size sits above the largest of these.

#include <cstddef>

namespace gps::protocol {

inline constexpr std::size_t kMaxAnnounceBytes = 16 * 1024;
inline constexpr std::size_t kMaxAckBytes = 2 * 1024;
inline constexpr std::size_t kMaxCommandBytes = 4 * 1024;
inline constexpr std::size_t kMaxReplyBytes = 4 * 1024;
inline constexpr std::size_t kMaxJobBytes = 64 * 1024;
inline constexpr std::size_t kMaxResultBytes = 128 * 1024;
inline constexpr std::size_t kMaxCredentialsBytes = 256 * 1024;
inline constexpr std::size_t kMaxStatusBytes = 4 * 1024;

inline constexpr std::size_t kMaxPemBytes = 8 * 1024;
inline constexpr std::size_t kMaxCertificateChainBytes = 64 * 1024;
inline constexpr std::size_t kMaxErrorTextBytes = 2 * 1024;

}  // namespace gps::protocol
