// The `curate` command with the CLI tests' stages registered (test_stages.hpp), for
// tests that need a real process: signals, exit statuses, a second run.

#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/cli/app.hpp"
#include "test_stages.hpp"

#include <iostream>

int main(int argc, char** argv) {
  // Under mpirun or srun this rank joins the job first; elsewhere it does nothing.
  curate::backends::mpi::MpiSession mpi;
  curate::cli::log_to_stderr();
  curate::cli::CliContext context{std::cout, std::cerr};
  context.handle_interrupts = true;
  context.extra_stages = curate::cli::testing::register_test_stages;
  return mpi.finish(curate::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc), context));
}
