#pragma once
// Size limits of every message the project accepts, in one place (docs/protocol.md repeats them).
// The broker's max_packet_size sits above the largest of these.

#include <cstddef>
#include <string>
#include <string_view>

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

// text cut to at most max_bytes, without splitting a UTF-8 character. Encoders apply it to free
// text (errors, messages) so that the receiver's limit never refuses a message we wrote ourselves.
inline std::string CapText(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return std::string(text);
  }
  std::size_t end = max_bytes;
  // Back off over at most three continuation bytes: the longest UTF-8 character is four bytes.
  for (int i = 0; i < 3 && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80; ++i) {
    --end;
  }
  return std::string(text.substr(0, end));
}

}  // namespace gps::protocol
