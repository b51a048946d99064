#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace curate::dedup {

/// The hash exact deduplication groups documents by.
enum class TextHash {
  Xxh3_128,  ///< XXH3 128-bit (xxHash): the default, tens of GB/s per core
  Md5,       ///< MD5 (OpenSSL's libcrypto): NeMo Curator's choice, for parity with it
};

/// Return the hash named `name`: "xxh3_128" (also "xxh3") or "md5". Throws
/// std::invalid_argument listing the names otherwise.
TextHash text_hash_from_name(std::string_view name);
/// Return the name of `hash` as `text_hash_from_name` accepts it.
std::string to_string(TextHash hash);

/// A 128-bit digest; for MD5 the digest's 16 bytes in their usual order, for XXH3 the
/// low 64 bits then the high 64 bits, little-endian.
using Digest128 = std::array<std::uint8_t, 16>;

/// Hash texts with one TextHash. Allocates nothing per text (MD5 reuses one OpenSSL
/// context). Not thread-safe: one hasher per worker; copying gives a fresh hasher.
class TextHasher {
 public:
  /// Prepare a hasher; throws std::runtime_error when OpenSSL cannot make an MD5 context.
  explicit TextHasher(TextHash hash);
  /// Make a fresh hasher of the same kind (what a stage's clone needs).
  TextHasher(const TextHasher& other);
  TextHasher& operator=(const TextHasher&) = delete;
  ~TextHasher();

  /// Return the digest of `text`'s bytes. Throws std::runtime_error if OpenSSL fails.
  Digest128 hash(std::string_view text);

  /// Return the hash this hasher computes.
  TextHash kind() const { return kind_; }

 private:
  struct Md5Context;
  TextHash kind_;
  std::unique_ptr<Md5Context> md5_;
};

}  // namespace curate::dedup
