// A real multi-host Open MPI job on one machine, as root: three network namespaces on a
// bridge (tests/backends/mpi/netns_hosts.sh), each a host with an address and a host name
// of its own, entered by mpirun through tests/backends/mpi/netns_rsh.sh. Only addresses
// the test makes (10.251.S.0/24) carry the job. Skipped, saying why, where namespaces
// cannot be made (not root, no `ip`, a container that forbids them).

#include "mpi/mpi_test_util.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace curate::mpi_test;

const std::string kScripts = CURATE_SOURCE_DIR "/tests/backends/mpi/";

class NetnsHosts : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    if (run_shell("command -v ip && command -v unshare").status != 0)
      GTEST_SKIP() << "`ip` (iproute2) or `unshare` (util-linux) is missing";
    name_ = "cu" + std::to_string(getpid() % 100000);
    subnet_ = 100 + getpid() % 100;
    dir_ = fs::temp_directory_path() / ("curate_netns_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    write_corpus(dir_ / "input");
    std::ofstream hosts(dir_ / "hosts");
    for (int i = 1; i <= 3; ++i) hosts << name_ << i << " slots=2\n";
    made_ = true;  // from here on TearDown removes whatever `up` made, even half of it
    const Outcome up =
        run_shell(kScripts + "netns_hosts.sh up " + name_ + " " + std::to_string(subnet_) + " 3");
    if (up.status != 0) GTEST_SKIP() << "cannot make network namespaces here: " << up.output;
  }

  void TearDown() override {
    if (made_) {
      const Outcome down = run_shell(kScripts + "netns_hosts.sh down " + name_ + " 3");
      EXPECT_EQ(down.status, 0) << down.output;
      EXPECT_EQ(run_shell("ip netns list | grep -w " + name_ + "1").status, 1)
          << "namespaces left behind";
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // `curate ARGS`: locally (ranks 0) or under mpirun, one rank per namespace host.
  Outcome curate(const std::string& args, int ranks) {
    const std::string net = "10.251." + std::to_string(subnet_) + ".0/24";
    std::string launcher;
    if (ranks > 0) {
      launcher = "OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=" + net +
                 " OMPI_MCA_oob_tcp_if_include=" + net + " OMPI_MCA_plm_rsh_agent=" + kScripts +
                 "netns_rsh.sh OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " +
                 "timeout 60 " CURATE_MPIRUN " -np " + std::to_string(ranks) + " --hostfile " +
                 (dir_ / "hosts").string() + " --map-by node ";
    }
    return run_shell("cd " + dir_.string() + " && unset CURATE_NODE_NAME; " + launcher +
                     CURATE_MPI_TEST_BINARY " " + args);
  }

  std::string name_;
  int subnet_ = 0;
  fs::path dir_;
  bool made_ = false;
};

TEST_F(NetnsHosts, OneJobOverThreeNamespacesNamesTheHostsAndMatchesLocal) {
  const std::set<std::string> hosts = {name_ + "1", name_ + "2", name_ + "3"};
  const Outcome resources = curate("resources --json", 3);
  ASSERT_EQ(resources.status, 0) << resources.output;
  const json nodes = json::parse(resources.output.substr(resources.output.find('{')))["nodes"];
  std::set<std::string> names;
  double cpus = 0;
  for (const json& node : nodes) {
    names.insert(node["node_id"].get<std::string>());
    cpus += node["cpus"].get<double>();
  }
  EXPECT_EQ(names, hosts) << "node names are the namespaces' host names";
  EXPECT_EQ(nodes[0]["node_id"], name_ + "1");
  EXPECT_TRUE(nodes[0]["is_head"].get<bool>());
  const Outcome here = curate("resources --json", 0);
  ASSERT_EQ(here.status, 0) << here.output;
  EXPECT_DOUBLE_EQ(cpus, 3 * json::parse(here.output)["nodes"][0]["cpus"].get<double>());

  fs::create_directories(dir_ / "setup");
  std::ofstream(dir_ / "job.yaml") << setup_pipeline("job", (dir_ / "setup").string(), "out_job");
  const Outcome job = curate("run --quiet job.yaml", 3);
  ASSERT_EQ(job.status, 0) << job.output;
  std::vector<std::string> expected;
  for (const std::string stage : {"first", "second"})
    for (const std::string& host : hosts) expected.push_back(stage + " " + host);
  EXPECT_EQ(lines_of(dir_ / "setup" / "setup.log"), expected);
  // The same stages locally: the same records.
  fs::create_directories(dir_ / "local_setup");
  std::ofstream(dir_ / "local.yaml")
      << setup_pipeline("local", (dir_ / "local_setup").string(), "out_local");
  const Outcome local = curate("run --quiet local.yaml", 0);
  ASSERT_EQ(local.status, 0) << local.output;
  EXPECT_EQ(records_under(dir_ / "out_job"), records_under(dir_ / "out_local"));
  EXPECT_EQ(records_under(dir_ / "out_job").size(), kRecords);
}

}  // namespace
