#include "curate/cli/stage_catalogue.hpp"

#include "curate/dedup/register_dedup_stages.hpp"
#include "curate/io/register_io_stages.hpp"
#include "curate/text/register_text_stages.hpp"

#include <fmt/format.h>

namespace curate::cli {

StageRegistry make_stage_catalogue() {
  StageRegistry registry;
  register_io_stages(registry);
  register_dedup_stages(registry);
  register_text_stages(registry);
  return registry;
}

std::string describe_catalogue(const StageRegistry& registry) {
  std::string out;
  for (const std::string& name : registry.names()) {
    const StageRegistration& registration = registry.get(name);
    out += fmt::format("{}\n    {}\n", name, registration.summary);
    for (const StageParamInfo& param : registration.params) {
      const std::string fallback =
          param.default_value.is_null() ? "no default" : "default " + param.default_value.dump();
      out += fmt::format("    - {} ({}): {}\n", param.name, fallback, param.help);
    }
  }
  return out;
}

}  // namespace curate::cli
