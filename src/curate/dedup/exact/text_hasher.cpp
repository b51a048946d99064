#include "curate/dedup/exact/text_hasher.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <xxhash.h>

#include <cstring>
#include <stdexcept>

namespace curate::dedup {

TextHash text_hash_from_name(std::string_view name) {
  if (name == "xxh3_128" || name == "xxh3") return TextHash::Xxh3_128;
  if (name == "md5") return TextHash::Md5;
  throw std::invalid_argument(
      fmt::format("unknown hash '{}'; use xxh3_128 (the default) or md5", name));
}

std::string to_string(TextHash hash) { return hash == TextHash::Md5 ? "md5" : "xxh3_128"; }

// The EVP interface, not MD5(): OpenSSL 3 deprecates the low-level one. One context per
// hasher, re-initialised per text, which OpenSSL does without allocating.
struct TextHasher::Md5Context {
  Md5Context() : context(EVP_MD_CTX_new()) {
    if (context == nullptr) throw std::runtime_error("OpenSSL could not create an MD5 context");
  }
  ~Md5Context() { EVP_MD_CTX_free(context); }
  Md5Context(const Md5Context&) = delete;
  Md5Context& operator=(const Md5Context&) = delete;
  EVP_MD_CTX* context;
};

TextHasher::TextHasher(TextHash hash) : kind_(hash) {
  if (kind_ == TextHash::Md5) md5_ = std::make_unique<Md5Context>();
}

TextHasher::TextHasher(const TextHasher& other) : TextHasher(other.kind_) {}

TextHasher::~TextHasher() = default;

Digest128 TextHasher::hash(std::string_view text) {
  Digest128 digest;
  if (kind_ == TextHash::Xxh3_128) {
    const XXH128_hash_t value = XXH3_128bits(text.data(), text.size());
    std::memcpy(digest.data(), &value.low64, 8);
    std::memcpy(digest.data() + 8, &value.high64, 8);
    return digest;
  }
  unsigned int size = 0;
  if (EVP_DigestInit_ex(md5_->context, EVP_md5(), nullptr) != 1 ||
      EVP_DigestUpdate(md5_->context, text.data(), text.size()) != 1 ||
      EVP_DigestFinal_ex(md5_->context, digest.data(), &size) != 1 || size != digest.size()) {
    throw std::runtime_error("OpenSSL failed to compute an MD5 digest");
  }
  return digest;
}

}  // namespace curate::dedup
