// ComponentClusterer: removal without chaining, evidence, and cost linear in the pairs
// compared with kept documents; merge_forests: global components from member forests.

#include "curate/dedup/fuzzy/duplicate_clustering.hpp"
#include "curate/dedup/fuzzy/connected_components_stage.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace curate::dedup {
namespace {

struct Doc {
  std::vector<uint64_t> shingles;
  std::vector<uint64_t> buckets;
};

std::vector<ClusterRemoval> cluster(const std::vector<Doc>& docs, double threshold,
                                    ClusterCounts& counts) {
  std::vector<ClusterDocument> view;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    view.push_back({static_cast<int64_t>(i), docs[i].shingles, docs[i].buckets});
  }
  ComponentClusterer clusterer;
  std::vector<ClusterRemoval> removals;
  clusterer.cluster(view, threshold, removals, counts);
  return removals;
}

std::vector<uint64_t> range(uint64_t begin, uint64_t end) {
  std::vector<uint64_t> out;
  for (uint64_t i = begin; i < end; ++i) out.push_back(i);
  return out;
}

TEST(ComponentClusterer, AChainKeepsItsEndsWhenTheyAreNotAlike) {
  // a ~ b ~ c but a !~ c: transitive clustering would keep only a. Here b goes (its kept
  // neighbour a is alike) and c stays: its only similar document, b, is removed, and a
  // (which b stands for in their shared bucket) is not alike.
  std::vector<Doc> docs{{range(0, 10), {1}}, {range(1, 11), {1, 2}}, {range(2, 12), {2}}};
  ClusterCounts counts;
  const auto removals = cluster(docs, 0.8, counts);
  ASSERT_EQ(removals.size(), 1u);
  EXPECT_EQ(removals[0].removed, 1u);
  EXPECT_EQ(removals[0].kept, 0u);
  EXPECT_NEAR(removals[0].similarity, 9.0 / 11.0, 1e-12);
  EXPECT_EQ(counts.pairs_compared, 2u);  // b-a, then c-a (b stands for a in bucket 2)
}

TEST(ComponentClusterer, ARemovedDocumentLeadsLaterOnesToItsKeptDuplicate) {
  // a and c share no bucket, but c meets b, which was removed as a's duplicate, so c is
  // compared with a and removed with a as its evidence.
  std::vector<Doc> docs{{range(0, 20), {1}}, {range(0, 20), {1, 2}}, {range(0, 19), {2}}};
  ClusterCounts counts;
  const auto removals = cluster(docs, 0.8, counts);
  ASSERT_EQ(removals.size(), 2u);
  EXPECT_EQ(removals[1].removed, 2u);
  EXPECT_EQ(removals[1].kept, 0u);
}

TEST(ComponentClusterer, IdenticalDocumentsCostOneComparisonEach) {
  std::vector<Doc> docs(1000, Doc{range(0, 50), {7, 8, 9}});
  ClusterCounts counts;
  const auto removals = cluster(docs, 0.8, counts);
  EXPECT_EQ(removals.size(), 999u);
  for (const auto& r : removals) EXPECT_EQ(r.kept, 0u);
  EXPECT_EQ(counts.pairs_compared, 999u);
  EXPECT_EQ(counts.pairs_verified, 999u);
}

TEST(ComponentClusterer, DissimilarBucketMatesAreAllKept) {
  std::vector<Doc> docs;
  for (uint64_t i = 0; i < 5; ++i) docs.push_back({range(i * 100, i * 100 + 10), {3}});
  ClusterCounts counts;
  EXPECT_TRUE(cluster(docs, 0.8, counts).empty());
  EXPECT_EQ(counts.pairs_compared, 10u);  // every kept pair once
  EXPECT_EQ(counts.pairs_verified, 0u);
}

TEST(MergeForests, LabelsEveryDocumentWithItsSmallestGlobalMember) {
  // Member 0 saw 5-9 and 9-12; member 1 saw 12-3; member 2 saw 20-21.
  std::vector<std::vector<ForestEntry>> forests{
      {{5, 5}, {9, 5}, {12, 5}}, {{3, 3}, {12, 3}}, {{20, 20}, {21, 20}}};
  FuzzyStats stats;
  const auto labels = merge_forests(forests, &stats);
  EXPECT_EQ(labels[0], (std::vector<int64_t>{3, 3, 3}));
  EXPECT_EQ(labels[1], (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(labels[2], (std::vector<int64_t>{20, 20}));
  EXPECT_EQ(stats.components.load(), 2u);
  EXPECT_EQ(stats.largest_component.load(), 4u);
  EXPECT_EQ(stats.candidate_documents.load(), 6u);
}

}  // namespace
}  // namespace curate::dedup
