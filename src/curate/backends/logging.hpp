#pragma once

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <exception>
#include <memory>
#include <string>
#include <string_view>

namespace curate::backends {

/// The logging settings the driver hands to every worker.
struct LoggingConfig {
  spdlog::level::level_enum level = spdlog::level::info;
  std::string pattern = "%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v";
};

/// Set the driver's log level from `config["log_level"]`, else `CURATE_LOG_LEVEL`, else
/// info; throws std::invalid_argument for an unknown level name. Call before a run.
void configure_logging(const nlohmann::json& config = nlohmann::json::object());

/// Return the logging configuration captured by `register_logger_serializer`.
LoggingConfig worker_logging_config();

/// Capture the driver's current level and pattern for workers (see utils.hpp).
void capture_logging_config(LoggingConfig config);

/// Return a logger for one worker whose records carry `stage/worker@node` as their name,
/// configured with the captured driver settings. Loggers share the default sinks.
std::shared_ptr<spdlog::logger> make_worker_logger(std::string_view stage,
                                                   std::string_view worker_id,
                                                   std::string_view node_id);

/// Return the message of an exception for a log line or an error: what(), "unknown
/// error" for a non-standard exception, "no error" for a null pointer.
std::string describe_error(const std::exception_ptr& error);

}  // namespace curate::backends
