#include "curate/backends/logging.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace curate::backends {
namespace {

std::mutex& config_mutex() {
  static std::mutex mutex;
  return mutex;
}

LoggingConfig& captured_config() {
  static LoggingConfig config;
  return config;
}

spdlog::level::level_enum parse_level(const std::string& name) {
  const auto level = spdlog::level::from_str(name);
  // spdlog maps unknown names to "off"; only accept "off" when it was asked for.
  if (level == spdlog::level::off && name != "off") {
    throw std::invalid_argument(fmt::format(
        "unknown log level '{}' (use trace, debug, info, warn, error, critical or off)", name));
  }
  return level;
}

}  // namespace

void configure_logging(const nlohmann::json& config) {
  std::string level_name = "info";
  if (const char* env = std::getenv("CURATE_LOG_LEVEL"); env != nullptr && *env != '\0') {
    level_name = env;
  }
  if (config.is_object() && config.contains("log_level")) {
    level_name = config.at("log_level").get<std::string>();
  }
  const auto level = parse_level(level_name);
  spdlog::set_level(level);
  LoggingConfig captured = worker_logging_config();
  captured.level = level;
  spdlog::set_pattern(captured.pattern);
  capture_logging_config(captured);
}

LoggingConfig worker_logging_config() {
  std::lock_guard lock(config_mutex());
  return captured_config();
}

void capture_logging_config(LoggingConfig config) {
  std::lock_guard lock(config_mutex());
  captured_config() = std::move(config);
}

std::shared_ptr<spdlog::logger> make_worker_logger(std::string_view stage,
                                                   std::string_view worker_id,
                                                   std::string_view node_id) {
  const LoggingConfig config = worker_logging_config();
  const auto& sinks = spdlog::default_logger()->sinks();
  auto logger = std::make_shared<spdlog::logger>(fmt::format("{}/{}@{}", stage, worker_id, node_id),
                                                 sinks.begin(), sinks.end());
  logger->set_level(config.level);
  logger->set_pattern(config.pattern);
  return logger;
}

std::string describe_error(const std::exception_ptr& error) {
  if (!error) return "no error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace curate::backends
