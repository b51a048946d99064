// The `curate` command; everything but the process plumbing lives in app.cpp.

#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/cli/app.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>

int main(int argc, char** argv) {
  // Under mpirun or srun this rank joins the job first; elsewhere it does nothing.
  curate::backends::mpi::MpiSession mpi;
  curate::cli::log_to_stderr();
  curate::cli::CliContext context{std::cout, std::cerr};
  context.err_is_terminal = isatty(STDERR_FILENO) == 1;
  context.handle_interrupts = true;
  winsize size{};
  if (context.err_is_terminal && ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0) {
    context.terminal_columns = size.ws_col;
  }
  return mpi.finish(curate::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc), context));
}
