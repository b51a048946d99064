#include "curate/backends/cuda_visible_devices.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace curate::backends {
namespace {

// Four GPUs whose UUIDs share prefixes in pairs (to exercise ambiguity), then two MIG
// instances of GPU 0.
class FilterVisibleDevicesTest : public ::testing::Test {
 protected:
  const std::vector<GpuDevice> all_ = {
      {0, "GPU-aaaa1111-0000-0000-0000-000000000000", "Fake A100", 80ULL << 30},
      {1, "GPU-aaaa2222-0000-0000-0000-000000000000", "Fake A100", 80ULL << 30},
      {2, "GPU-bbbb0000-0000-0000-0000-000000000000", "Fake H100", 80ULL << 30},
      {3, "GPU-cccc0000-0000-0000-0000-000000000000", "Fake H100", 80ULL << 30},
      {0, "MIG-dddd0000-0000-0000-0000-000000000000", "Fake A100 MIG 3g", 40ULL << 30},
      {0, "MIG-dddd1111-0000-0000-0000-000000000000", "Fake A100 MIG 3g", 40ULL << 30},
  };

  // The UUIDs of the devices CUDA would see with CUDA_VISIBLE_DEVICES = `value`.
  std::vector<std::string> visible(std::optional<std::string_view> value) const {
    std::vector<std::string> uuids;
    for (const GpuDevice& device : filter_visible_devices(all_, value)) {
      uuids.push_back(device.uuid);
    }
    return uuids;
  }

  // The UUID of GPU `index` (the physical GPUs are the first four entries).
  std::string gpu(int index) const { return all_[static_cast<std::size_t>(index)].uuid; }
  std::string mig(int slot) const { return all_[4 + static_cast<std::size_t>(slot)].uuid; }
};

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(FilterVisibleDevicesTest, UnsetShowsEveryGpuButNotMigInstances) {
  EXPECT_THAT(visible(std::nullopt), ElementsAre(gpu(0), gpu(1), gpu(2), gpu(3)));
}

TEST_F(FilterVisibleDevicesTest, EmptyOrBlankShowsNothing) {
  EXPECT_THAT(visible(""), IsEmpty());
  EXPECT_THAT(visible("   "), IsEmpty());
  EXPECT_THAT(visible(","), IsEmpty());
}

TEST_F(FilterVisibleDevicesTest, OrdinalsSelectInListedOrder) {
  EXPECT_THAT(visible("0"), ElementsAre(gpu(0)));
  EXPECT_THAT(visible("1,0"), ElementsAre(gpu(1), gpu(0)));
  EXPECT_THAT(visible("3,1,2,0"), ElementsAre(gpu(3), gpu(1), gpu(2), gpu(0)));
}

TEST_F(FilterVisibleDevicesTest, OrdinalOutOfRangeEndsTheList) {
  EXPECT_THAT(visible("0,7,1"), ElementsAre(gpu(0)));
  EXPECT_THAT(visible("7,0"), IsEmpty());
  EXPECT_THAT(visible("4"), IsEmpty());  // MIG instances do not count as ordinals
  EXPECT_THAT(visible("99999999999999999999999999,0"), IsEmpty());
}

TEST_F(FilterVisibleDevicesTest, GarbageEndsTheList) {
  EXPECT_THAT(visible("0,abc,1"), ElementsAre(gpu(0)));
  EXPECT_THAT(visible("abc"), IsEmpty());
  EXPECT_THAT(visible("one,two,3"), IsEmpty());
  EXPECT_THAT(visible("3,2,two,1"), ElementsAre(gpu(3), gpu(2)));
  EXPECT_THAT(visible("0,,1"), ElementsAre(gpu(0)));
  EXPECT_THAT(visible("0,"), ElementsAre(gpu(0)));
  EXPECT_THAT(visible("0,GPU-bbbb"), ElementsAre(gpu(0)));
}

TEST_F(FilterVisibleDevicesTest, NegativeOrdinalEndsTheList) {
  EXPECT_THAT(visible("-1"), IsEmpty());
  EXPECT_THAT(visible("0,-1,1"), ElementsAre(gpu(0)));
  EXPECT_THAT(visible("-"), IsEmpty());
  EXPECT_THAT(visible("+"), IsEmpty());
}

TEST_F(FilterVisibleDevicesTest, OrdinalsAreReadLikeStrtoul) {
  // Surrounding whitespace is skipped, a sign is accepted, trailing text is ignored.
  EXPECT_THAT(visible(" 1 , 0 "), ElementsAre(gpu(1), gpu(0)));
  EXPECT_THAT(visible("\t2,\n3"), ElementsAre(gpu(2), gpu(3)));
  EXPECT_THAT(visible("1gpu2,2ampere"), ElementsAre(gpu(1), gpu(2)));
  EXPECT_THAT(visible("+1,-0"), ElementsAre(gpu(1), gpu(0)));
  EXPECT_THAT(visible("01"), ElementsAre(gpu(1)));
}

TEST_F(FilterVisibleDevicesTest, RepeatedOrdinalShowsNothing) {
  // The driver treats a device named twice as a configuration error: no device at all.
  EXPECT_THAT(visible("0,0"), IsEmpty());
  EXPECT_THAT(visible("1,2,1"), IsEmpty());
  EXPECT_THAT(visible("1, 01"), IsEmpty());
  // The whole list is read before ordinals are checked against the GPU count.
  EXPECT_THAT(visible("0,7,0"), IsEmpty());
  // A repeat after the list has ended does not count.
  EXPECT_THAT(visible("0,abc,0"), ElementsAre(gpu(0)));
}

TEST_F(FilterVisibleDevicesTest, UuidPrefixSelectsTheOneMatchingGpu) {
  EXPECT_THAT(visible(gpu(2)), ElementsAre(gpu(2)));
  EXPECT_THAT(visible("GPU-bbbb"), ElementsAre(gpu(2)));
  EXPECT_THAT(visible("GPU-aaaa2"), ElementsAre(gpu(1)));
  EXPECT_THAT(visible("GPU-c,GPU-aaaa1,GPU-b"), ElementsAre(gpu(3), gpu(0), gpu(2)));
}

TEST_F(FilterVisibleDevicesTest, UnknownOrAmbiguousUuidEndsTheList) {
  EXPECT_THAT(visible("GPU-zzzz"), IsEmpty());
  EXPECT_THAT(visible("GPU-bbbb,GPU-zzzz,GPU-cccc"), ElementsAre(gpu(2)));
  EXPECT_THAT(visible("GPU-aaaa"), IsEmpty());  // matches GPUs 0 and 1
  EXPECT_THAT(visible("GPU-cccc,GPU-aaaa,GPU-bbbb"), ElementsAre(gpu(3)));
  EXPECT_THAT(visible("GPU-"), IsEmpty());  // matches every GPU
}

TEST_F(FilterVisibleDevicesTest, UuidListEndsAtAnEntryOfAnotherKind) {
  EXPECT_THAT(visible("GPU-bbbb,1"), ElementsAre(gpu(2)));
  EXPECT_THAT(visible("GPU-bbbb, GPU-cccc"), ElementsAre(gpu(2)));  // no trimming for UUIDs
  EXPECT_THAT(visible("GPU-bbbb,MIG-dddd0"), ElementsAre(gpu(2)));
  EXPECT_THAT(visible(" GPU-bbbb"), IsEmpty());  // read as an ordinal list: not a number
  EXPECT_THAT(visible("gpu-bbbb"), IsEmpty());
}

TEST_F(FilterVisibleDevicesTest, SameGpuTwiceByUuidShowsNothing) {
  EXPECT_THAT(visible("GPU-bbbb,GPU-bbbb"), IsEmpty());
  EXPECT_THAT(visible("GPU-bbbb,GPU-cccc,GPU-bbbb0"), IsEmpty());
}

TEST_F(FilterVisibleDevicesTest, MigUuidSelectsOneMigInstance) {
  EXPECT_THAT(visible("MIG-dddd1"), ElementsAre(mig(1)));
  const std::vector<GpuDevice> devices = filter_visible_devices(all_, "MIG-dddd1");
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].index, 0);  // the parent GPU's index
  EXPECT_EQ(devices[0].memory_total_bytes, 40ULL << 30);
  // A CUDA process enumerates one MIG device, however many are listed.
  EXPECT_THAT(visible("MIG-dddd1,MIG-dddd0"), ElementsAre(mig(1)));
  EXPECT_THAT(visible("MIG-zzzz"), IsEmpty());
  EXPECT_THAT(visible("MIG-dddd"), IsEmpty());  // ambiguous
  EXPECT_THAT(visible("MIG-dddd0,MIG-dddd0"), IsEmpty());
  EXPECT_THAT(visible("MIG-aaaa1111"), IsEmpty());  // a GPU's UUID body is not a MIG UUID
}

TEST_F(FilterVisibleDevicesTest, NoDevicesMeansNothingVisible) {
  const std::vector<GpuDevice> none;
  EXPECT_THAT(filter_visible_devices(none, std::nullopt), IsEmpty());
  EXPECT_THAT(filter_visible_devices(none, "0"), IsEmpty());
  EXPECT_THAT(filter_visible_devices(none, "GPU-aaaa"), IsEmpty());
}

TEST_F(FilterVisibleDevicesTest, KeepsEveryFieldOfTheSelectedDevice) {
  const std::vector<GpuDevice> devices = filter_visible_devices(all_, "2");
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0], all_[2]);
}

}  // namespace
}  // namespace curate::backends
