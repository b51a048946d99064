#pragma once

#include <stdexcept>
#include <string>

namespace curate::cli {

/// A mistake in what the user asked for: a pipeline file, a `--set`, a command-line
/// option. The message names the file (and line), the stage and the closest valid
/// names. The CLI reports it on one line and exits with kExitUsage; any other exception
/// during a run exits with kExitRunFailed.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The exit status of a run that finished.
inline constexpr int kExitSuccess = 0;
/// The exit status of a run that failed while executing (a stage threw, I/O failed).
inline constexpr int kExitRunFailed = 1;
/// The exit status of a usage or configuration error found before anything ran.
inline constexpr int kExitUsage = 2;
/// The exit status of a run stopped by SIGINT (128 + signal, as shells report it); one
/// stopped by SIGTERM exits with 143.
inline constexpr int kExitInterrupted = 130;

}  // namespace curate::cli
