// Workflow files: a deduplication workflow described in YAML and started by `curate run`.

#include "curate/cli/workflow_file.hpp"

#include "curate/cli/config_error.hpp"
#include "curate/cli/dedup_command.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/cli/yaml_to_json.hpp"
#include "curate/core/suggest.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <vector>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// One parameter: its YAML name, default (null: required or none), help, and how it
// sets the command's options. `set` throws json::exception on a wrong type.
struct WorkflowParam {
  std::string name;
  json default_value;
  std::string help;
  std::function<void(DedupOptions&, const json&)> set;
};

std::vector<std::string> as_paths(const json& value) {
  if (value.is_string()) return {value.get<std::string>()};
  return value.get<std::vector<std::string>>();
}

std::vector<WorkflowParam> common_params() {
  return {
      {"input_path", json(), "JSONL files, folders or globs (a string or a list)",
       [](DedupOptions& o, const json& v) { o.input = as_paths(v); }},
      {"output_path", json(), "folder for removal_list/, deduplicated/ and stats.json",
       [](DedupOptions& o, const json& v) { o.output = v.get<std::string>(); }},
      {"text_field", "text", "the text field of each record",
       [](DedupOptions& o, const json& v) { o.text_field = v.get<std::string>(); }},
      {"id_field", "id", "the id field the removal list names",
       [](DedupOptions& o, const json& v) { o.id_field = v.get<std::string>(); }},
      {"files_per_partition", json(), "input files per reader task (default 1)",
       [](DedupOptions& o, const json& v) { o.files_per_partition = v.get<int>(); }},
      {"perform_removal", false, "also write the corpus without the removed documents",
       [](DedupOptions& o, const json& v) { o.perform_removal = v.get<bool>(); }},
      {"overwrite", false, "replace the output of an earlier run",
       [](DedupOptions& o, const json& v) { o.overwrite = v.get<bool>(); }},
  };
}

std::vector<WorkflowParam> exact_params() {
  auto params = common_params();
  params.push_back({"hash", "xxh3_128", "xxh3_128, or md5 for parity with NeMo Curator",
                    [](DedupOptions& o, const json& v) { o.hash = v.get<std::string>(); }});
  return params;
}

std::vector<WorkflowParam> fuzzy_params() {
  auto params = common_params();
  const std::vector<WorkflowParam> more{
      {"char_ngrams", json(),
       "character n-grams of this size (NeMo Curator: 24); default word n-grams",
       [](DedupOptions& o, const json& v) { o.char_ngrams = v.get<int>(); }},
      {"word_ngrams", 5, "word n-gram size when char_ngrams is not given",
       [](DedupOptions& o, const json& v) { o.word_ngrams = v.get<int>(); }},
      {"normalize_digits", false, "shingle every digit as 0 (datatrove)",
       [](DedupOptions& o, const json& v) { o.normalize_digits = v.get<bool>(); }},
      {"strip_diacritics", false, "shingle without diacritics (datatrove)",
       [](DedupOptions& o, const json& v) { o.strip_diacritics = v.get<bool>(); }},
      {"sketch", "oph", "oph (one permutation, densified) or classic (k permutations)",
       [](DedupOptions& o, const json& v) { o.sketch = v.get<std::string>(); }},
      {"jaccard_threshold", 0.8, "verified Jaccard at or above which documents are duplicates",
       [](DedupOptions& o, const json& v) { o.threshold = v.get<double>(); }},
      {"num_bands", json(), "LSH bands (default: chosen from the threshold)",
       [](DedupOptions& o, const json& v) { o.num_bands = v.get<int>(); }},
      {"minhashes_per_band", json(), "LSH rows per band",
       [](DedupOptions& o, const json& v) { o.minhashes_per_band = v.get<int>(); }},
      {"lsh_preset", json(), "nemo_curator (20 x 13) or datatrove (14 x 8)",
       [](DedupOptions& o, const json& v) { o.lsh_preset = v.get<std::string>(); }},
      {"bands_per_iteration", 5, "bands per LSH window (memory bound)",
       [](DedupOptions& o, const json& v) { o.bands_per_iteration = v.get<int>(); }},
      {"seed", 42, "seed of the shingle hash and the permutations",
       [](DedupOptions& o, const json& v) { o.seed = v.get<uint64_t>(); }},
      {"use_64_bit_hash", false, "64-bit sketch values (default 32-bit)",
       [](DedupOptions& o, const json& v) { o.use_64_bit_hash = v.get<bool>(); }},
      {"num_partitions", 64, "shuffle partitions",
       [](DedupOptions& o, const json& v) { o.num_partitions = v.get<int>(); }},
  };
  params.insert(params.end(), more.begin(), more.end());
  return params;
}

struct Workflow {
  std::string name;
  std::string mode;  // DedupOptions::mode
  std::string summary;
  std::vector<WorkflowParam> params;
};

const std::vector<Workflow>& workflows() {
  static const std::vector<Workflow> all{
      {"exact_deduplication", "exact", "remove documents whose text is identical to an earlier one",
       exact_params()},
      {"fuzzy_deduplication", "fuzzy",
       "remove near duplicates: MinHash, LSH, every removal verified by exact Jaccard",
       fuzzy_params()},
  };
  return all;
}

std::vector<std::string> names_of(const std::vector<WorkflowParam>& params) {
  std::vector<std::string> names;
  for (const auto& p : params) names.push_back(p.name);
  return names;
}

// Collects every mistake of the file, so that one run reports them all.
class Problems {
 public:
  /// Prefix each message with its file and line from `map`, when there is one.
  explicit Problems(const SourceMap* map) : map_(map) {}
  void add(const std::string& pointer, const std::string& message) {
    lines_.push_back(map_ ? fmt::format("{}: {}", map_->locate(pointer).to_string(), message)
                          : message);
  }
  void throw_if_any() const {
    if (!lines_.empty()) throw ConfigError(lines_);
  }

 private:
  const SourceMap* map_;
  std::vector<std::string> lines_;
};

}  // namespace

bool is_workflow_file(const fs::path& file) {
  const json document = load_yaml_file(file);
  return document.is_object() && document.contains("workflow");
}

int run_workflow_file(const fs::path& file, bool quiet, CliContext& context) {
  SourceMap map;
  const json document = load_yaml_file(file, &map);
  DedupOptions options = workflow_options(document, &map);
  if (workflow_executor_type(document) == "ray") {
    throw ConfigError(
        ray_needs_python_message(fmt::format("{}: ", map.locate("/executor/type").to_string())));
  }
  options.quiet = quiet;
  try {
    return dedup_command(options, context);
  } catch (const ConfigError& error) {
    throw ConfigError(fmt::format("{}: {}", file.string(), error.what()));
  }
}

std::string workflow_executor_type(const json& document) {
  if (!document.is_object()) return "local";
  const auto executor = document.find("executor");
  if (executor == document.end() || !executor->is_object()) return "local";
  const auto type = executor->find("type");
  return type != executor->end() && type->is_string() ? type->get<std::string>() : "local";
}

DedupOptions workflow_options(const json& document, const SourceMap* map) {
  Problems problems(map);
  if (!document.is_object() || !document.contains("workflow")) {
    problems.add("", "a workflow needs a `workflow:` key naming it");
    problems.throw_if_any();
  }
  const std::vector<std::string> top_keys{"name", "description", "workflow", "params", "executor"};
  for (const auto& [key, value] : document.items()) {
    if (std::find(top_keys.begin(), top_keys.end(), key) == top_keys.end()) {
      problems.add("/" + pointer_segment(key),
                   fmt::format("unknown key '{}'{}", key, did_you_mean(key, top_keys)));
    }
  }
  const json& kind = document.at("workflow");
  std::vector<std::string> workflow_names;
  for (const auto& w : workflows()) workflow_names.push_back(w.name);
  const Workflow* workflow = nullptr;
  for (const auto& w : workflows()) {
    if (kind.is_string() && kind.get<std::string>() == w.name) workflow = &w;
  }
  if (!workflow) {
    problems.add(
        "/workflow",
        fmt::format("unknown workflow {}{}; workflows: {}", kind.dump(),
                    kind.is_string() ? did_you_mean(kind.get<std::string>(), workflow_names) : "",
                    fmt::join(workflow_names, ", ")));
    problems.throw_if_any();
  }

  DedupOptions options;
  options.mode = workflow->mode;
  json params = document.value("params", json::object());
  if (!params.is_object()) {
    problems.add("/params", "params must be a mapping");
    params = json::object();
  }
  const auto valid = names_of(workflow->params);
  for (const auto& [key, value] : params.items()) {
    const auto pointer = "/params/" + pointer_segment(key);
    const auto it = std::find_if(workflow->params.begin(), workflow->params.end(),
                                 [&](const WorkflowParam& p) { return p.name == key; });
    if (it == workflow->params.end()) {
      problems.add(pointer, fmt::format("{}: unknown parameter '{}'{}", workflow->name, key,
                                        did_you_mean(key, valid)));
      continue;
    }
    try {
      it->set(options, value);
    } catch (const json::exception&) {
      problems.add(pointer, fmt::format("{}: parameter '{}' has the wrong type (got {})",
                                        workflow->name, key, value.dump()));
    }
  }
  for (const char* required : {"input_path", "output_path"}) {
    if (!params.contains(required)) {
      problems.add("/params",
                   fmt::format("{}: missing required parameter '{}'", workflow->name, required));
    }
  }
  const json executor = document.value("executor", json::object());
  const auto type = executor.is_object() ? executor.find("type") : executor.end();
  const std::vector<std::string>& types = executor_types();
  if (type != executor.end() &&
      (!type->is_string() ||
       std::find(types.begin(), types.end(), type->get<std::string>()) == types.end())) {
    problems.add("/executor/type",
                 fmt::format("workflow executor: unknown type {}; known types: {}", type->dump(),
                             fmt::join(types, ", ")));
  }
  if (workflow_executor_type(document) == "ray" && executor.contains("config")) {
    // Run by the Python package's RayExecutor: its keys, nothing else.
    const auto& keys = ray_executor_config_keys();
    for (const auto& [key, value] : executor.at("config").items()) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      problems.add("/executor/config/" + pointer_segment(key),
                   fmt::format("workflow executor config: unknown config key '{}' for type "
                               "'ray'{}; valid keys: {}",
                               key, did_you_mean(key, keys), fmt::join(keys, ", ")));
    }
  } else if (executor.is_object() && executor.contains("config")) {
    const json& config = executor.at("config");
    for (const auto& [key, value] : config.items()) {
      if (key == "num_cpus" && value.is_number()) {
        options.workers = value.get<int>();
      } else {
        problems.add(
            "/executor/config/" + pointer_segment(key),
            fmt::format("workflow executor config: unknown or mistyped key '{}' (valid: num_cpus)",
                        key));
      }
    }
  }
  problems.throw_if_any();
  return options;
}

std::string describe_workflows() {
  std::string out =
      "\nWorkflows (a file with `workflow: NAME` and `params:`, run by `curate run`):\n";
  for (const auto& w : workflows()) {
    out += fmt::format("\n{}: {}\n", w.name, w.summary);
    for (const auto& p : w.params) {
      out += fmt::format("  {:<22} {:<12} {}\n", p.name,
                         p.default_value.is_null() ? "" : p.default_value.dump(), p.help);
    }
  }
  return out;
}

}  // namespace curate::cli
