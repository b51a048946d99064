#!/usr/bin/env bash
# The quickstart behind `make run`: build curate and the corpus generator, generate a small
# sample corpus if there is none, run examples/quickstart.yaml and show its statistics.
#
#   scripts/run-quickstart.sh [BUILD_DIR]      (default: build; configured by `make configure`)
#
# SAMPLE_DOCUMENTS and SAMPLE_FILES size the sample (default 2000 documents in 4 files).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-build}"
case "$build_dir" in
  /*) ;;
  *) build_dir="$repo_root/$build_dir" ;;
esac
documents="${SAMPLE_DOCUMENTS:-2000}"
files="${SAMPLE_FILES:-4}"
sample_dir="data/sample"

cd "$repo_root"
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" --target curate_cli_main gen_corpus -j"$(nproc)"

if [[ -z "$(find "$sample_dir" -name '*.jsonl*' -print -quit 2>/dev/null)" ]]; then
  echo "Generating a sample corpus: $documents documents in $files files under $sample_dir"
  "$build_dir/bin/gen_corpus" --output "$sample_dir" --documents "$documents" --files "$files"
fi

echo "Running examples/quickstart.yaml"
"$build_dir/bin/curate" run examples/quickstart.yaml --overwrite
echo "Kept documents: out/quickstart/kept   rejected: out/quickstart/rejected   stats: logs/quickstart/stats.json"
