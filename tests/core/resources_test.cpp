#include "curate/core/resources.hpp"

#include <gtest/gtest.h>

namespace curate {
namespace {

TEST(Resources, DefaultsMatchTheContract) {
  Resources resources;
  EXPECT_EQ(resources.cpus, 1.0);
  EXPECT_EQ(resources.gpus, 0.0);
  EXPECT_EQ(resources.gpu_memory_gb, 0.0);
  EXPECT_FALSE(resources.requires_gpu());
}

TEST(Resources, GpusAndGpuMemoryTogetherIsAnError) {
  EXPECT_THROW((Resources{1.0, 8.0, 1.0}.validate()), std::invalid_argument);
  EXPECT_NO_THROW((Resources{1.0, 8.0, 0.0}.validate()));
  EXPECT_THROW((Resources{-1.0, 0.0, 0.0}.validate()), std::invalid_argument);
}

TEST(Resources, GpuMemoryBecomesAFractionOfGpuZero) {
  Resources by_memory{1.0, 20.0, 0.0};
  EXPECT_TRUE(by_memory.requires_gpu());
  EXPECT_DOUBLE_EQ(by_memory.gpu_fraction(80.0), 0.25);
  EXPECT_DOUBLE_EQ(by_memory.gpu_fraction(0.0), 20.0 / kDefaultGpuMemoryGb);
  EXPECT_THROW((Resources{1.0, 100.0, 0.0}.gpu_fraction(80.0)), std::invalid_argument);
  EXPECT_DOUBLE_EQ((Resources{1.0, 0.0, 0.5}.gpu_fraction(80.0)), 0.5);
}

}  // namespace
}  // namespace curate
