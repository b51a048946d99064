#include "curate/core/stage_description.hpp"

#include "curate/core/byte_codec.hpp"

#include <fmt/format.h>

namespace curate {
namespace {

// Versioned, so a worker built from other sources refuses a description it cannot read
// instead of misreading it.
constexpr std::string_view kMagic = "curate-stage-v1";

}  // namespace

StageNotDescribable::StageNotDescribable(const std::string& stage_name, const std::string& reason)
    : std::invalid_argument(
          fmt::format("stage '{}' cannot run in another process: {}", stage_name, reason)) {}

nlohmann::json StageDescription::to_json() const {
  nlohmann::json resources_json = {{"cpus", resources.cpus},
                                   {"gpus", resources.gpus},
                                   {"gpu_memory_gb", resources.gpu_memory_gb}};
  return {{"stage", recipe.stage},
          {"params", recipe.params},
          {"payload_bytes", recipe.payload.size()},
          {"name", name},
          {"resources", std::move(resources_json)},
          {"batch_size", batch_size},
          {"num_workers", num_workers ? nlohmann::json(*num_workers) : nlohmann::json()},
          {"stage_spec", spec_overrides.to_json()}};
}

std::string StageDescription::to_bytes() const {
  std::string out;
  const std::string header = to_json().dump();
  out.reserve(kMagic.size() + header.size() + recipe.payload.size() + 16);
  out.append(kMagic);
  ByteWriter writer(out);
  writer.put_string(header);
  writer.put_string(recipe.payload);
  return out;
}

StageDescription StageDescription::from_bytes(std::string_view bytes) {
  if (!bytes.starts_with(kMagic)) {
    throw std::invalid_argument(
        "not a curate stage description (made by ProcessingStage::describe().to_bytes() of "
        "this curate version)");
  }
  StageDescription out;
  try {
    ByteReader reader(bytes.substr(kMagic.size()));
    const nlohmann::json header = nlohmann::json::parse(reader.get_string());
    out.recipe.payload = std::string(reader.get_string());
    if (!reader.done()) throw std::runtime_error("trailing bytes");
    out.recipe.stage = header.at("stage").get<std::string>();
    out.recipe.params = header.at("params");
    out.name = header.at("name").get<std::string>();
    const auto& resources = header.at("resources");
    out.resources.cpus = resources.at("cpus").get<double>();
    out.resources.gpus = resources.at("gpus").get<double>();
    out.resources.gpu_memory_gb = resources.at("gpu_memory_gb").get<double>();
    out.batch_size = header.at("batch_size").get<int>();
    if (!header.at("num_workers").is_null()) out.num_workers = header["num_workers"].get<int>();
    out.spec_overrides = StageSpec::from_json(header.at("stage_spec"), out.name);
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& error) {
    throw std::invalid_argument(
        fmt::format("a damaged curate stage description: {}", error.what()));
  }
  return out;
}

}  // namespace curate
