#include "curate/backends/resource_discovery.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "curate/core/resources.hpp"

namespace curate::backends {
namespace {

namespace fs = std::filesystem;

#ifdef CURATE_FAKE_NVML_PATH
constexpr const char* kFakeNvmlPath = CURATE_FAKE_NVML_PATH;
#else
constexpr const char* kFakeNvmlPath = nullptr;
#endif

// Set (or unset, with nullptr) an environment variable for one scope, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

int sched_affinity_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
  return CPU_COUNT(&set);
}

// ---------------------------------------------------------------------------------------
// CPUs

TEST(AffinityCpuCountTest, MatchesSchedGetaffinity) {
  const int expected = sched_affinity_count();
  ASSERT_GT(expected, 0) << "sched_getaffinity with a 1024-CPU mask failed on this host";
  EXPECT_EQ(affinity_cpu_count(), expected);
}

TEST(AffinityCpuCountTest, FollowsANarrowedMask) {
  const int all = sched_affinity_count();
  if (all < 2) GTEST_SKIP() << "needs at least 2 CPUs in the affinity mask";
  // Narrow the mask on a separate thread so the test process keeps its own.
  int narrowed = 0;
  std::thread worker([&] {
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) {
        CPU_SET(cpu, &one);
        break;
      }
    }
    if (sched_setaffinity(0, sizeof(one), &one) == 0) narrowed = affinity_cpu_count();
  });
  worker.join();
  EXPECT_EQ(narrowed, 1);
}

// A fake /proc/self and /sys/fs/cgroup under a fresh temporary directory.
class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "curate-cgroup-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    paths_.proc_self_cgroup = root_ / "proc" / "cgroup";
    paths_.proc_self_mountinfo = root_ / "proc" / "mountinfo";
    paths_.cgroup_root = root_ / "sys" / "fs" / "cgroup";
    fs::create_directories(root_ / "proc");
    fs::create_directories(paths_.cgroup_root);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  // Give the process a unified (v2) cgroup at `cgroup_path`, mounted at the default root.
  void use_default_v2(const std::string& cgroup_path = "/") {
    write(paths_.proc_self_cgroup, "0::" + cgroup_path + "\n");
    write(paths_.cgroup_root / "cgroup.controllers", "cpuset cpu io memory pids\n");
  }

  // A mountinfo line in the kernel's format.
  static std::string mount_line(int id, const std::string& root, const std::string& mount_point,
                                const std::string& fstype, const std::string& super_options) {
    return std::to_string(id) + " 22 0:" + std::to_string(id) + " " + root + " " + mount_point +
           " rw,nosuid,nodev,noexec,relatime shared:" + std::to_string(id) + " - " + fstype + " " +
           fstype + " " + super_options + "\n";
  }

  fs::path root_;
  CgroupPaths paths_;
};

TEST_F(CgroupTest, V2MaxMeansNoLimit) {
  use_default_v2();
  write(paths_.cgroup_root / "cpu.max", "max 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt);
  EXPECT_EQ(detect_cpu_count(paths_), static_cast<double>(affinity_cpu_count()));
}

TEST_F(CgroupTest, V2FractionalQuota) {
  use_default_v2();
  write(paths_.cgroup_root / "cpu.max", "150000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 1.5);
  EXPECT_EQ(detect_cpu_count(paths_), std::min(1.5, static_cast<double>(affinity_cpu_count())));
}

TEST_F(CgroupTest, V2QuotaBelowOneCpu) {
  use_default_v2();
  write(paths_.cgroup_root / "cpu.max", "50000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 0.5);
  EXPECT_EQ(detect_cpu_count(paths_), 0.5);
}

TEST_F(CgroupTest, V2QuotaWithoutPeriodUsesTheDefaultPeriod) {
  use_default_v2();
  write(paths_.cgroup_root / "cpu.max", "200000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 2.0);
}

TEST_F(CgroupTest, QuotaAboveAffinityGivesAffinity) {
  use_default_v2();
  write(paths_.cgroup_root / "cpu.max", "100000000 100000\n");  // 1000 CPUs
  EXPECT_EQ(cgroup_cpu_limit(paths_), 1000.0);
  EXPECT_EQ(detect_cpu_count(paths_), static_cast<double>(affinity_cpu_count()));
}

TEST_F(CgroupTest, TinyQuotaIsClampedToTheMinimum) {
  use_default_v2();
  write(paths_.cgroup_root / "cpu.max", "100 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 0.001);
  EXPECT_EQ(detect_cpu_count(paths_), kMinimumCpuCount);
}

TEST_F(CgroupTest, MalformedFilesMeanNoLimit) {
  use_default_v2();
  for (const char* text : {"", "abc 100000", "150000 abc", "150000 0", "0 100000", "-5 100000"}) {
    write(paths_.cgroup_root / "cpu.max", text);
    EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt) << "cpu.max = '" << text << "'";
  }
}

TEST_F(CgroupTest, MissingFilesMeanAffinityOnly) {
  // No /proc/self/cgroup, no mountinfo, no cgroup files at all.
  EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt);
  EXPECT_EQ(detect_cpu_count(paths_), static_cast<double>(affinity_cpu_count()));
  // A membership but no cpu.max (the root cgroup has none).
  use_default_v2();
  EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt);
}

TEST_F(CgroupTest, V2NestedCgroupFoundThroughMountinfo) {
  const fs::path mount = root_ / "mnt" / "unified";
  write(paths_.proc_self_mountinfo,
        mount_line(30, "/", "/proc", "proc", "rw") +
            mount_line(31, "/", mount.string(), "cgroup2", "rw,nsdelegate"));
  write(paths_.proc_self_cgroup, "0::/kubepods/pod1/container\n");
  write(mount / "kubepods" / "pod1" / "container" / "cpu.max", "300000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 3.0);
}

TEST_F(CgroupTest, V2AncestorLimitBindsTheChild) {
  const fs::path mount = root_ / "mnt" / "unified";
  write(paths_.proc_self_mountinfo, mount_line(31, "/", mount.string(), "cgroup2", "rw"));
  write(paths_.proc_self_cgroup, "0::/kubepods/pod1/container\n");
  write(mount / "kubepods" / "pod1" / "container" / "cpu.max", "max 100000\n");
  write(mount / "kubepods" / "pod1" / "cpu.max", "250000 100000\n");
  write(mount / "kubepods" / "cpu.max", "400000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 2.5);
  // Files above the mount point are outside the hierarchy and must not be read.
  write(root_ / "mnt" / "cpu.max", "10000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 2.5);
}

TEST_F(CgroupTest, V2MountShowingASubtree) {
  // A container without a cgroup namespace: the membership names the host path, and the
  // mount shows only that subtree.
  const fs::path mount = root_ / "mnt" / "cg";
  write(paths_.proc_self_mountinfo, mount_line(31, "/docker/abc", mount.string(), "cgroup2", "rw"));
  write(paths_.proc_self_cgroup, "0::/docker/abc\n");
  write(mount / "cpu.max", "120000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 1.2);
}

TEST_F(CgroupTest, V2PathOutsideTheMountedSubtreeFallsBackToTheMountPoint) {
  const fs::path mount = root_ / "mnt" / "cg";
  write(paths_.proc_self_mountinfo, mount_line(31, "/docker/abc", mount.string(), "cgroup2", "rw"));
  write(paths_.proc_self_cgroup, "0::/../../system.slice\n");
  write(mount / "cpu.max", "75000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 0.75);
}

TEST_F(CgroupTest, MountPointWithEscapedSpace) {
  const fs::path mount = root_ / "my mounts" / "cg";
  std::string escaped = mount.string();
  escaped.replace(escaped.find(' '), 1, "\\040");
  write(paths_.proc_self_mountinfo, mount_line(31, "/", escaped, "cgroup2", "rw"));
  write(paths_.proc_self_cgroup, "0::/\n");
  write(mount / "cpu.max", "150000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 1.5);
}

TEST_F(CgroupTest, V1QuotaThroughMountinfo) {
  const fs::path cpu_mount = root_ / "mnt" / "cpu,cpuacct";
  write(paths_.proc_self_mountinfo,
        mount_line(31, "/", (root_ / "mnt" / "memory").string(), "cgroup", "rw,memory") +
            mount_line(32, "/", cpu_mount.string(), "cgroup", "rw,cpu,cpuacct"));
  write(paths_.proc_self_cgroup, "5:memory:/user.slice\n3:cpu,cpuacct:/user.slice\n0::/\n");
  write(cpu_mount / "user.slice" / "cpu.cfs_quota_us", "150000\n");
  write(cpu_mount / "user.slice" / "cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 1.5);
}

TEST_F(CgroupTest, V1CpuacctAloneIsNotTheCpuController) {
  const fs::path cpuacct_mount = root_ / "mnt" / "cpuacct";
  write(paths_.proc_self_mountinfo,
        mount_line(31, "/", cpuacct_mount.string(), "cgroup", "rw,cpuacct"));
  write(paths_.proc_self_cgroup, "2:cpuacct:/\n");
  write(cpuacct_mount / "cpu.cfs_quota_us", "50000\n");
  write(cpuacct_mount / "cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt);
}

TEST_F(CgroupTest, V1UnlimitedQuota) {
  write(paths_.proc_self_cgroup, "3:cpu,cpuacct:/\n");
  write(paths_.cgroup_root / "cpu,cpuacct" / "cpu.cfs_quota_us", "-1\n");
  write(paths_.cgroup_root / "cpu,cpuacct" / "cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt);
  EXPECT_EQ(detect_cpu_count(paths_), static_cast<double>(affinity_cpu_count()));
}

TEST_F(CgroupTest, V1DefaultMountWhenMountinfoIsMissing) {
  write(paths_.proc_self_cgroup, "1:cpu:/\n");
  write(paths_.cgroup_root / "cpu" / "cpu.cfs_quota_us", "50000\n");
  write(paths_.cgroup_root / "cpu" / "cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 0.5);
  EXPECT_EQ(detect_cpu_count(paths_), 0.5);
}

TEST_F(CgroupTest, HybridHostTakesTheTighterLimit) {
  // v1 cpu controller unlimited, an empty unified hierarchy beside it (as on this kind of
  // host), then a v2 limit: whichever version limits wins.
  const fs::path cpu_mount = root_ / "mnt" / "cpu";
  const fs::path unified = root_ / "mnt" / "unified";
  write(paths_.proc_self_mountinfo, mount_line(31, "/", cpu_mount.string(), "cgroup", "rw,cpu") +
                                        mount_line(40, "/", unified.string(), "cgroup2", "rw"));
  write(paths_.proc_self_cgroup, "1:cpu:/\n0::/\n");
  write(cpu_mount / "cpu.cfs_quota_us", "-1\n");
  write(cpu_mount / "cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), std::nullopt);
  write(unified / "cpu.max", "250000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 2.5);
  write(cpu_mount / "cpu.cfs_quota_us", "200000\n");
  EXPECT_EQ(cgroup_cpu_limit(paths_), 2.0);
}

TEST(DetectCpuCountTest, RealMachineIsPositiveAndWithinAffinity) {
  const double cpus = detect_cpu_count();
  EXPECT_GE(cpus, kMinimumCpuCount);
  EXPECT_LE(cpus, static_cast<double>(affinity_cpu_count()));
}

// ---------------------------------------------------------------------------------------
// GPUs

TEST(NvmlLibraryPathTest, DefaultsToTheDriverSoname) {
  ScopedEnv library(kNvmlLibraryEnvVar, nullptr);
  EXPECT_EQ(nvml_library_path(), "libnvidia-ml.so.1");
  ScopedEnv empty(kNvmlLibraryEnvVar, "");
  EXPECT_EQ(nvml_library_path(), "libnvidia-ml.so.1");
}

TEST(NvmlLibraryPathTest, EnvironmentOverrides) {
  ScopedEnv library(kNvmlLibraryEnvVar, "/opt/fake/libnvidia-ml.so.1");
  EXPECT_EQ(nvml_library_path(), "/opt/fake/libnvidia-ml.so.1");
}

TEST(DetectGpusTest, AbsentLibraryMeansNoGpus) {
  const std::string missing = "/nonexistent/curate-test/libnvidia-ml.so.1";
  ScopedEnv library(kNvmlLibraryEnvVar, missing.c_str());
  ScopedEnv visible(kCudaVisibleDevicesEnvVar, nullptr);
  std::vector<GpuDevice> gpus;
  EXPECT_NO_THROW(gpus = detect_gpus());
  EXPECT_TRUE(gpus.empty());
  const NvmlQuery query = query_nvml_devices(missing);
  EXPECT_TRUE(query.devices.empty());
  EXPECT_THAT(query.error, ::testing::HasSubstr(missing));
}

TEST(DetectGpusTest, LibraryWithoutNvmlSymbolsMeansNoGpus) {
  // libm loads fine but exports nothing NVML.
  ScopedEnv library(kNvmlLibraryEnvVar, "libm.so.6");
  EXPECT_TRUE(detect_gpus().empty());
  const NvmlQuery query = query_nvml_devices("libm.so.6");
  EXPECT_TRUE(query.devices.empty());
  EXPECT_THAT(query.error, ::testing::HasSubstr("does not export nvmlInit_v2"));
}

TEST(Gpu0MemoryGbTest, UsesGibOfTheFirstVisibleGpu) {
  const std::vector<GpuDevice> gpus = {{1, "GPU-b", "Fake H100", 80ULL << 30},
                                       {0, "GPU-a", "Fake A10", 24ULL << 30}};
  EXPECT_DOUBLE_EQ(gpu0_memory_gb(gpus), 80.0);
  // An "80 GB" card that NVML reports in decimal bytes is 74.5 GiB, as in NeMo Curator.
  EXPECT_NEAR(gpu0_memory_gb({{0, "GPU-c", "Decimal", 80'000'000'000ULL}}), 74.506, 1e-3);
}

TEST(Gpu0MemoryGbTest, DefaultsWhenUnknown) {
  EXPECT_EQ(gpu0_memory_gb(std::vector<GpuDevice>{}), kDefaultGpuMemoryGb);
  EXPECT_EQ(gpu0_memory_gb({{0, "GPU-a", "No memory info", 0}}), kDefaultGpuMemoryGb);
  EXPECT_EQ(kDefaultGpuMemoryGb, 24.0);
}

TEST(Gpu0MemoryGbTest, MachineValueIsPositive) { EXPECT_GT(gpu0_memory_gb(), 0.0); }

// Tests against tests/backends/fake_nvml, whose path the build passes in.
class FakeNvmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kFakeNvmlPath == nullptr) GTEST_SKIP() << "built without CURATE_FAKE_NVML_PATH";
  }
  ScopedEnv library_{kNvmlLibraryEnvVar, kFakeNvmlPath != nullptr ? kFakeNvmlPath : ""};
  ScopedEnv visible_{kCudaVisibleDevicesEnvVar, nullptr};
  ScopedEnv count_{"FAKE_NVML_COUNT", nullptr};
  ScopedEnv name_{"FAKE_NVML_NAME", nullptr};
  ScopedEnv memory_{"FAKE_NVML_MEMORY_BYTES", nullptr};
  ScopedEnv migs_{"FAKE_NVML_MIG_PER_GPU", nullptr};
  ScopedEnv init_error_{"FAKE_NVML_INIT_ERROR", nullptr};
};

TEST_F(FakeNvmlTest, ReportsTwoGpusByDefault) {
  const std::vector<GpuDevice> gpus = detect_gpus();
  ASSERT_EQ(gpus.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(gpus[i].index, i);
    EXPECT_EQ(gpus[i].name, "Fake H100");
    EXPECT_EQ(gpus[i].memory_total_bytes, 80ULL << 30);
  }
  EXPECT_EQ(gpus[0].uuid, "GPU-fake0000-0000-4000-8000-000000000000");
  EXPECT_EQ(gpus[1].uuid, "GPU-fake0001-0000-4000-8000-000000000000");
  EXPECT_DOUBLE_EQ(gpu0_memory_gb(gpus), 80.0);
}

TEST_F(FakeNvmlTest, ConfigurableThroughTheEnvironment) {
  ScopedEnv count("FAKE_NVML_COUNT", "4");
  ScopedEnv name("FAKE_NVML_NAME", "Fake A10");
  ScopedEnv memory("FAKE_NVML_MEMORY_BYTES", "25769803776");  // 24 GiB
  const std::vector<GpuDevice> gpus = detect_gpus();
  ASSERT_EQ(gpus.size(), 4u);
  EXPECT_EQ(gpus[3].name, "Fake A10");
  EXPECT_DOUBLE_EQ(gpu0_memory_gb(gpus), 24.0);
  ScopedEnv none("FAKE_NVML_COUNT", "0");
  const NvmlQuery query = query_nvml_devices(nvml_library_path());
  EXPECT_TRUE(query.error.empty());
  EXPECT_TRUE(query.devices.empty());
}

TEST_F(FakeNvmlTest, CudaVisibleDevicesFiltersAndOrders) {
  {
    ScopedEnv visible(kCudaVisibleDevicesEnvVar, "1,0");
    const std::vector<GpuDevice> gpus = detect_gpus();
    ASSERT_EQ(gpus.size(), 2u);
    EXPECT_EQ(gpus[0].index, 1);
    EXPECT_EQ(gpus[1].index, 0);
  }
  {
    ScopedEnv visible(kCudaVisibleDevicesEnvVar, "GPU-fake0001");
    const std::vector<GpuDevice> gpus = detect_gpus();
    ASSERT_EQ(gpus.size(), 1u);
    EXPECT_EQ(gpus[0].index, 1);
  }
  {
    ScopedEnv visible(kCudaVisibleDevicesEnvVar, "");
    EXPECT_TRUE(detect_gpus().empty());
  }
  {
    ScopedEnv visible(kCudaVisibleDevicesEnvVar, "0,7,1");
    EXPECT_EQ(detect_gpus().size(), 1u);
  }
}

TEST_F(FakeNvmlTest, FailedInitMeansNoGpusAndSaysWhy) {
  ScopedEnv init_error("FAKE_NVML_INIT_ERROR", "9");
  EXPECT_TRUE(detect_gpus().empty());
  const NvmlQuery query = query_nvml_devices(nvml_library_path());
  EXPECT_TRUE(query.devices.empty());
  EXPECT_THAT(query.error, ::testing::HasSubstr("nvmlInit_v2 failed: Driver Not Loaded"));
}

TEST_F(FakeNvmlTest, MigInstancesAreListedAfterTheGpus) {
  ScopedEnv migs("FAKE_NVML_MIG_PER_GPU", "2");
  const NvmlQuery query = query_nvml_devices(nvml_library_path());
  ASSERT_TRUE(query.error.empty()) << query.error;
  ASSERT_EQ(query.devices.size(), 6u);
  EXPECT_EQ(query.devices[1].uuid, "GPU-fake0001-0000-4000-8000-000000000000");
  EXPECT_EQ(query.devices[2].uuid, "MIG-fake0000-0000-4000-8000-000000000000");
  EXPECT_EQ(query.devices[5].uuid, "MIG-fake0001-0001-4000-8000-000000000000");
  EXPECT_EQ(query.devices[5].index, 1);
  EXPECT_EQ(query.devices[5].memory_total_bytes, 10ULL << 30);

  EXPECT_EQ(detect_gpus().size(), 2u);  // unset: the GPUs, not their instances
  ScopedEnv visible(kCudaVisibleDevicesEnvVar, "MIG-fake0001-0001");
  const std::vector<GpuDevice> gpus = detect_gpus();
  ASSERT_EQ(gpus.size(), 1u);
  EXPECT_EQ(gpus[0].uuid, "MIG-fake0001-0001-4000-8000-000000000000");
  EXPECT_DOUBLE_EQ(gpu0_memory_gb(gpus), 10.0);
}

// ---------------------------------------------------------------------------------------
// The machine as a whole

TEST(LocalMachineResourcesTest, DetectsCpusAndHostname) {
  const LocalMachineResources resources = detect_local_machine_resources();
  EXPECT_GE(resources.cpus, kMinimumCpuCount);
  EXPECT_LE(resources.cpus, static_cast<double>(affinity_cpu_count()));
  EXPECT_FALSE(resources.hostname.empty());
}

TEST(LocalMachineResourcesTest, CachedOnceForAllThreads) {
  std::vector<const LocalMachineResources*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &local_machine_resources(); });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::set<const LocalMachineResources*>(seen.begin(), seen.end()).size(), 1u);
  EXPECT_EQ(seen[0], &local_machine_resources());
  EXPECT_GE(seen[0]->cpus, kMinimumCpuCount);
}

}  // namespace
}  // namespace curate::backends
