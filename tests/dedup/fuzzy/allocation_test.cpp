// The hot-path contract: once warm, shingling and sketching a document allocate nothing.
// Counted by replacing the global operator new for this test program; the counter only
// counts on the thread that armed it.

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "curate/dedup/fuzzy/band_buckets.hpp"
#include "curate/dedup/fuzzy/minhash.hpp"
#include "curate/dedup/fuzzy/shingler.hpp"

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

// Sanitizers bring their own operator new; the count is taken in plain builds only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CURATE_COUNT_ALLOCATIONS 0
#else
#define CURATE_COUNT_ALLOCATIONS 1
// GCC pairs the inlined malloc of one replacement with the free of another and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void* operator new[](std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace curate::dedup {
namespace {

TEST(AllocationTest, WarmShinglerAndMinHasherAllocateNothingPerDocument) {
  if (!CURATE_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocations are not counted under sanitizers";
  std::string large;
  for (int i = 0; i < 400; ++i) large += "Some Words, and Caf\u00E9 numbers 12 \u00C9t\u00E9.\n";
  const std::vector<std::string> documents = {large.substr(0, 5000), "short", "",
                                              large.substr(100, 3000), "a b c d e f g h"};
  for (const ShingleKind kind : {ShingleKind::kWord, ShingleKind::kChar}) {
    ShingleOptions options;
    options.kind = kind;
    options.n = kind == ShingleKind::kWord ? 5 : 24;
    options.normalize_digits = true;
    options.strip_diacritics = true;
    Shingler shingler(options);
    const MinHasher classic(SketchKind::kClassic, 260, 1, false);
    const MinHasher oph(SketchKind::kOnePermutation, 260, 1, false);
    std::vector<uint64_t> hashes;
    std::vector<uint64_t> signature(260);
    std::vector<uint64_t> buckets(20);
    shingler.hashes(large, hashes);  // warm: buffers reach the largest document
    hashes.reserve(hashes.size());
    allocations = 0;
    counting = true;
    for (const std::string& doc : documents) {
      shingler.hashes(doc, hashes);
      classic.sketch(hashes, signature);
      oph.sketch(hashes, signature);
      band_buckets(signature, kNemoCuratorLsh, buckets);
    }
    counting = false;
    EXPECT_EQ(allocations, 0) << (kind == ShingleKind::kWord ? "word" : "char");
  }
}

}  // namespace
}  // namespace curate::dedup
