#!/usr/bin/env bash
# Build and run curate's benchmarks; print their details as they run, then one summary
# table. Usage: scripts/bench.sh [BUILD_DIR]. Set BENCH_QUICK=1 for a short smoke run
# (smaller corpora, fewer repeats) and BENCH_DATA to choose where corpora are written.
set -euo pipefail
build=${1:-build}
repo=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-$repo/build-bench-data}
quick=${BENCH_QUICK:-0}
mkdir -p "$data"

cmake --build "$build" -j "$(nproc)" --target bench_executor bench_jsonl_io bench_text_filters \
  gen_corpus curate_cli_main >/dev/null
bin=$build/bin
benchdir=$build/bench

summary=()
add_row() { summary+=("$(printf '%-58s %14s   %s' "$1" "$2" "$3")"); }
section() { printf '\n=== %s\n' "$1"; }

# Median of the numbers given on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- Executor overhead (issue 2): 4 hashing stages, 100k batches of 100 documents.
batches=100000
[[ $quick == 1 ]] && batches=10000
section "executor overhead, one core (taskset -c 0)"
one_core=$(taskset -c 0 "$benchdir/bench_executor" --batches="$batches" --repeat=3 | tee /dev/stderr)
section "executor speedup, all cores"
all_cores=$("$benchdir/bench_executor" --batches="$batches" --repeat=3 | tee /dev/stderr)
ratio=$(sed -n 's/^executor\/loop wall ratio: \([0-9.]*\).*/\1/p' <<<"$one_core")
speedup=$(sed -n 's/^loop\/executor speedup: *\([0-9.]*\)x.*/\1/p' <<<"$all_cores")
add_row "executor/loop wall time, 1 core (target <= 1.05)" "$ratio" "taskset -c 0 bench_executor"
add_row "loop/executor speedup, $(nproc) cores (target >= 1.8)" "${speedup}x" "bench_executor"

# --- JSONL I/O (issue 3): parse-only limit, reader, pass-through; max RSS at 1 and 4 GB.
section "JSONL I/O (Google Benchmark, one thread)"
CURATE_BENCH_MB=$([[ $quick == 1 ]] && echo 64 || echo 256) \
  "$benchdir/bench_jsonl_io" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_format=console | tee "$data/jsonl_io.txt" >&2
for name in simdjson_parse_only reader passthrough; do
  rate=$(grep -i "$name" "$data/jsonl_io.txt" | grep median | grep -o '[0-9.]*[MG]i\?B/s' | head -1 || true)
  [[ -n $rate ]] && add_row "JSONL $name, one thread (median of 3)" "$rate" "bench_jsonl_io"
done
sizes=(1024 4096)
[[ $quick == 1 ]] && sizes=(128)
for mb in "${sizes[@]}"; do
  corpus=$data/io_${mb}mb
  [[ -d $corpus ]] || "$benchdir/bench_jsonl_io" --generate "$corpus" "$mb" 16 >&2
  rm -rf "$data/io_out"
  section "pass-through of ${mb} MB with max RSS"
  /usr/bin/time -f 'max_rss_kb %M' "$benchdir/bench_jsonl_io" --passthrough "$corpus" "$data/io_out" \
    2>"$data/time.txt" | tee "$data/pass.txt" >&2
  cat "$data/time.txt" >&2
  rate=$(grep -o '[0-9]* MB/s' "$data/pass.txt" | head -1)
  rss=$(awk '/max_rss_kb/ { printf "%.0f MB", $2 / 1024 }' "$data/time.txt")
  add_row "JSONL read->write ${mb} MB, one thread" "$rate" "max RSS $rss (target < 512 MB)"
  rm -rf "$data/io_out"
done

# --- Heuristic filters (issue 4): per-rule cost and the NeMo English set, filters only.
section "heuristic filters (Google Benchmark, one thread)"
"$benchdir/bench_text_filters" --benchmark_filter='BM_NemoEnglish|BM_RuleSet' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true | tee "$data/text.txt" >&2
rate=$(grep 'BM_NemoEnglish/fused' "$data/text.txt" | grep median | grep -o '[0-9.]*[MG]i\?B/s' | head -1 || true)
[[ -n $rate ]] && add_row "NeMo English rules, filter only, one thread" "$rate" "bench_text_filters"

# --- End to end (issue 4): read JSONL, NeMo English rules, write kept documents, 1 core.
e2e_mb=1024
[[ $quick == 1 ]] && e2e_mb=128
corpus=$data/e2e_${e2e_mb}mb
[[ -d $corpus ]] || "$bin/gen_corpus" --output "$corpus" --size "${e2e_mb}M" --files 16 \
  --doc-bytes 4096 >&2
section "NeMo English pipeline end to end on ${e2e_mb} MB, one core"
rm -rf "$data/e2e_out" "$data/e2e_logs"
start=$(date +%s.%N)
taskset -c 0 "$bin/curate" run "$repo/bench/pipelines/nemo_english_e2e.yaml" --quiet --overwrite \
  --set "stages.0.params.paths=$corpus" --set "stages.2.params.output_dir=$data/e2e_out" \
  --log-dir "$data/e2e_logs" >&2
end=$(date +%s.%N)
bytes=$(du -sb "$corpus" | cut -f1)
rate=$(awk -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f MB/s", b / 1e6 / (e - s) }')
add_row "NeMo English pipeline end to end, 1 core (target >= 50)" "$rate" "curate run, taskset -c 0"
rm -rf "$data/e2e_out"

printf '\n%-58s %14s   %s\n' "benchmark" "result" "how"
printf '%s\n' "$(printf '%.0s-' {1..100})"
printf '%s\n' "${summary[@]}"
