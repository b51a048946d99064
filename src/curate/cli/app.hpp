#pragma once

#include "curate/cli/commands.hpp"

#include <string>
#include <vector>

namespace curate::cli {

/// Parse `args` (without the program name) and run the command they name:
///
///   curate [-C DIR] run PIPELINE.yaml [--set KEY=VALUE ...] [--log-dir DIR] [--overwrite]
///                                     [--quiet] [--progress-interval SECONDS]
///   curate [-C DIR] describe PIPELINE.yaml [--set KEY=VALUE ...]
///   curate resources [--json]
///   curate stages
///   curate --version | --help | <command> --help
///
/// `-C DIR` runs as if started in DIR (restored on return). Returns the exit status:
/// kExitSuccess, kExitRunFailed (a run failed; "curate: <reason>" on `context.err`) or
/// kExitUsage (bad arguments or a configuration error, reported the same way). Never
/// throws. Called once per process by main(), and by tests.
int run_cli(const std::vector<std::string>& args, CliContext& context);

/// Send the process's log records (spdlog's default logger) to stderr, so that stdout
/// carries only results; under MPI the logger is named "rank R@node". Called by main()
/// before `run_cli`, after the MpiSession is made.
void log_to_stderr();

}  // namespace curate::cli
