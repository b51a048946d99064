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

cmake --build "$build" -j "$(nproc)" --target bench_executor bench_jsonl_io bench_text_filters bench_shuffle \
  bench_exact_dedup bench_minhash \
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
runs=3
ratios=()
speedups=()
ceilings=()
efficiencies=()
for run in $(seq "$runs"); do
  section "executor overhead, one core (taskset -c 0), run $run of $runs"
  out=$(taskset -c 0 "$benchdir/bench_executor" --mode=both --batches="$batches" --repeat=3 |
    tee /dev/stderr)
  ratios+=("$(sed -n 's/^executor\/loop wall ratio: \([0-9.]*\).*/\1/p' <<<"$out")")
  # Best of 7 here, not 3: all cores are only free at once in some moments on a shared
  # VM, and the best time of each variant is the estimate of its time in such a moment.
  section "executor speedup, all cores, run $run of $runs"
  out=$("$benchdir/bench_executor" --batches="$batches" --repeat=7 | tee /dev/stderr)
  speedups+=("$(sed -n 's/^loop\/executor speedup: *\([0-9.]*\)x.*/\1/p' <<<"$out")")
  ceilings+=("$(sed -n 's/^loop\/threads speedup: *\([0-9.]*\)x.*/\1/p' <<<"$out")")
  efficiencies+=("$(sed -n 's/^executor efficiency: *\([0-9.]*\) .*/\1/p' <<<"$out")")
done
add_row "executor/loop wall time, 1 core (median of $runs, target <= 1.05)" \
  "$(printf '%s\n' "${ratios[@]}" | median)" "taskset -c 0 bench_executor: ${ratios[*]}"
add_row "loop/executor speedup, $(nproc) cores (median of $runs, target >= 1.8)" \
  "$(printf '%s\n' "${speedups[@]}" | median)x" "bench_executor: ${speedups[*]}"
add_row "loop/threads speedup, $(nproc) plain threads: the machine's ceiling (median of $runs)" \
  "$(printf '%s\n' "${ceilings[@]}" | median)x" "bench_executor: ${ceilings[*]}"
add_row "executor efficiency, threads/executor wall time (median of $runs)" \
  "$(printf '%s\n' "${efficiencies[@]}" | median)" "bench_executor: ${efficiencies[*]}"

# MB/s (10^6 bytes) of the median row of Google Benchmark `name` in console output `file`;
# its bytes_per_second counter is in powers of 1024 (k, M, G).
gbench_mbps() {
  grep -E "^$1_median " "$2" | grep -o 'bytes_per_second=[0-9.]*[kMG]\?/s' | head -1 |
    sed 's/bytes_per_second=//; s|/s||' |
    awk '{ v = $1 + 0; u = substr($1, length($1)); m = 1;
           if (u == "k") m = 1024; else if (u == "M") m = 1048576; else if (u == "G") m = 1073741824;
           printf "%.0f MB/s", v * m / 1e6 }'
}

# --- JSONL I/O (issue 3): parse-only limit, reader, pass-through, per CPU-second.
section "JSONL I/O (Google Benchmark, one thread, rates per CPU-second)"
CURATE_BENCH_MB=$([[ $quick == 1 ]] && echo 64 || echo 1024) \
  "$benchdir/bench_jsonl_io" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  | tee "$data/jsonl_io.txt" >&2
add_row "simdjson DOM parse of every line, the limit (median of 3)" \
  "$(gbench_mbps BM_SimdjsonParseOnly "$data/jsonl_io.txt")" "bench_jsonl_io"
add_row "JSONL read into batches (median of 3)" \
  "$(gbench_mbps BM_JsonlRead "$data/jsonl_io.txt")" "bench_jsonl_io"
add_row "JSONL read -> encode, no file (median of 3)" \
  "$(gbench_mbps BM_JsonlPassThroughNoDisk "$data/jsonl_io.txt")" "bench_jsonl_io"
add_row "JSONL read -> write files (median of 3, target >= 1000)" \
  "$(gbench_mbps BM_JsonlPassThrough "$data/jsonl_io.txt")" "bench_jsonl_io"

# The same pass-through as users run it (`curate run`, one core), on 1 GB and 4 GB corpora
# of 4 files each, so every file is far larger than any buffer: max RSS must not grow.
sizes=(1024 4096)
[[ $quick == 1 ]] && sizes=(128)
for mb in "${sizes[@]}"; do
  corpus=$data/io_${mb}mb_4files
  [[ -d $corpus ]] || "$benchdir/bench_jsonl_io" --generate "$corpus" "$mb" 4 >&2
  rm -rf "$data/io_out" "$data/io_logs"
  section "curate run pass-through of ${mb} MB on one core, with max RSS"
  start=$(date +%s.%N)
  taskset -c 0 /usr/bin/time -f 'max_rss_kb %M user_s %U sys_s %S' -o "$data/time.txt" \
    "$bin/curate" run \
    "$repo/bench/pipelines/passthrough.yaml" --quiet --overwrite \
    --set "stages.0.params.paths=$corpus" --set "stages.1.params.output_dir=$data/io_out" \
    --log-dir "$data/io_logs" >&2
  end=$(date +%s.%N)
  cat "$data/time.txt" >&2
  bytes=$(du -sb "$corpus" | cut -f1)
  rate=$(awk -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f MB/s", b / 1e6 / (e - s) }')
  rss=$(awk '/max_rss_kb/ { printf "%.0f MB", $2 / 1024 }' "$data/time.txt")
  # Per CPU-second too: on a VM the kernel's first touch of fresh page-cache pages for
  # new output files can cost seconds of system time per GB, which the wall time shows.
  cpu=$(awk -v b="$bytes" '/max_rss_kb/ { printf "%.0f MB/s per CPU-second (user %.2f s, sys %.2f s)", b / 1e6 / ($4 + $6), $4, $6 }' "$data/time.txt")
  add_row "curate run read -> write ${mb} MB, 1 core, wall" "$rate" "max RSS $rss (target < 512 MB); $cpu"
  rm -rf "$data/io_out" "$data/io_logs"
done

# --- Heuristic filters (issue 4): per-rule cost and the NeMo English set, filters only.
section "heuristic filters (Google Benchmark, one thread)"
"$benchdir/bench_text_filters" --benchmark_filter='BM_NemoEnglish|BM_RuleSet' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true | tee "$data/text.txt" >&2
add_row "NeMo English rules, filter only, one thread (median of 3)" \
  "$(gbench_mbps BM_NemoEnglish/fused "$data/text.txt")" "bench_text_filters"

# --- Shuffle (issue 10): 16-byte rows routed and reduced through the LocalExecutor, 1 core.
section "shuffle of 16-byte rows (Google Benchmark, one core, each run in a fresh process)"
CURATE_BENCH_ROWS=$([[ $quick == 1 ]] && echo 200000 || echo 2000000) \
  taskset -c 0 "$benchdir/bench_shuffle" --benchmark_filter='BM_Shuffle16ByteRows/1/' \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true | tee "$data/shuffle.txt" >&2
# Counter `counter` of the median row of Google Benchmark `name` in console output `file`
# (arguments: name counter file), as a plain number (Google Benchmark writes 1.9k).
gbench_counter() {
  grep -E "^$1.*_median " "$3" | grep -o "$2=[0-9.]*[kMG]\?" | head -1 | sed "s/$2=//" |
    awk '{ v = $1 + 0; u = substr($1, length($1)); m = 1;
           if (u == "k") m = 1e3; else if (u == "M") m = 1e6; else if (u == "G") m = 1e9;
           printf "%.1f", v * m }'
}
add_row "shuffle 16-byte rows, route + reduce, 1 core (median of 3)" \
  "$(gbench_counter BM_Shuffle16ByteRows/1/ ns_per_row "$data/shuffle.txt") ns/row" \
  "bench_shuffle, peak RSS $(gbench_counter BM_Shuffle16ByteRows/1/ peak_rss_MB "$data/shuffle.txt") MB"

# --- Exact deduplication (issue 10): read -> hash -> shuffle -> removal list, one core.
exact_mb=1024
[[ $quick == 1 ]] && exact_mb=128
exact_corpus=$data/exact_${exact_mb}mb
[[ -d $exact_corpus ]] || "$bin/gen_corpus" --output "$exact_corpus" --size "${exact_mb}M" \
  --files 16 --doc-bytes 4096 --exact-dup-share 0.2 --near-dup-share 0 >&2
section "exact deduplication end to end on ${exact_mb} MB, one core (Google Benchmark)"
CURATE_BENCH_CORPUS=$exact_corpus CURATE_BENCH_OUT=$data taskset -c 0 \
  "$benchdir/bench_exact_dedup" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  | tee "$data/exact_dedup.txt" >&2
add_row "exact dedup read -> XXH3-128 -> shuffle -> removal list, 1 core (median of 3, target >= 500)" \
  "$(gbench_counter BM_ExactDedup/0/ MB_per_s "$data/exact_dedup.txt") MB/s" \
  "bench_exact_dedup, taskset -c 0; $(gbench_counter BM_ExactDedup/0/ MB_per_cpu_s "$data/exact_dedup.txt") MB per CPU-second"
add_row "exact dedup with MD5 (NeMo Curator's hash), 1 core (median of 3)" \
  "$(gbench_counter BM_ExactDedup/1/ MB_per_s "$data/exact_dedup.txt") MB/s" \
  "bench_exact_dedup, taskset -c 0; $(gbench_counter BM_ExactDedup/1/ MB_per_cpu_s "$data/exact_dedup.txt") MB per CPU-second"
# --- Fuzzy dedup signatures: shingling + MinHash / one-permutation hashing, one thread.
section "fuzzy dedup signatures (Google Benchmark, one thread, rates per CPU-second)"
minhash_reps=5
minhash_args=()
[[ $quick == 1 ]] && minhash_reps=3 && minhash_args=(--benchmark_min_time=0.1)
"$benchdir/bench_minhash" --benchmark_filter='BM_Shingle|BM_Classic|BM_OnePermutation' \
  --benchmark_repetitions="$minhash_reps" --benchmark_report_aggregates_only=true \
  "${minhash_args[@]}" | tee "$data/minhash.txt" >&2
add_row "shingling alone, word 5-grams (median of $minhash_reps)" \
  "$(gbench_mbps BM_Shingle/word5 "$data/minhash.txt")" "bench_minhash"
add_row "shingling alone, char 24-grams (median of $minhash_reps)" \
  "$(gbench_mbps BM_Shingle/char24 "$data/minhash.txt")" "bench_minhash"
add_row "classic MinHash word 5-grams x 112 (median of $minhash_reps, target >= 100)" \
  "$(gbench_mbps BM_Classic/word5_112 "$data/minhash.txt")" "bench_minhash, shingling included"
add_row "classic MinHash char 24-grams x 260 (median of $minhash_reps, target >= 20)" \
  "$(gbench_mbps BM_Classic/char24_260 "$data/minhash.txt")" "bench_minhash, shingling included"
add_row "one-permutation word 5-grams x 112 (median of $minhash_reps)" \
  "$(gbench_mbps BM_OnePermutation/word5_112 "$data/minhash.txt")" "bench_minhash, shingling included"
add_row "one-permutation char 24-grams x 260 (median of $minhash_reps, target >= 200)" \
  "$(gbench_mbps BM_OnePermutation/char24_260 "$data/minhash.txt")" "bench_minhash, shingling included"

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

# --- Fuzzy dedup end to end (issue 10): the same generated corpus (5% exact and 5% near
# copies planted), word 5-grams, the one-permutation sketch, verified; 1 core and all.
for cores in 1 "$(nproc)"; do
  section "fuzzy dedup end to end on ${e2e_mb} MB, $cores core(s)"
  rm -rf "$data/fuzzy_out"
  cpus=$(seq -s, 0 $((cores - 1)))
  start=$(date +%s.%N)
  taskset -c "$cpus" /usr/bin/time -f 'max_rss_kb %M' -o "$data/time.txt" \
    "$bin/curate" dedup fuzzy --input "$corpus" --output "$data/fuzzy_out" --workers "$cores" >&2
  end=$(date +%s.%N)
  rss=$(awk '/max_rss_kb/ { printf "%.0f MB", $2 / 1024 }' "$data/time.txt")
  rate=$(awk -v b="$bytes" -v s="$start" -v e="$end" -v c="$cores" \
    'BEGIN { printf "%.1f MB/s", b / 1e6 / (e - s) / c }')
  phases=$(python3 -c '
import json, sys
record = json.load(open(sys.argv[1]))
parts = []
for phase, stats in record["phases"].items():
    for stage in stats["stages"]:
        parts.append("%s %.1fs" % (stage["name"], stage.get("process_time_s", 0.0)))
c = record["counters"]
print("; ".join(parts) + "; removed %d of %d; %.0f verification bytes/candidate" % (
    c["documents_removed"], c["documents"], c["verification_bytes_per_candidate"]))
' "$data/fuzzy_out/stats.json")
  add_row "fuzzy dedup end to end, $cores core(s), per core (target >= 100)" "$rate" \
    "curate dedup fuzzy; max RSS $rss (target <= 1 GB); $phases"
done
rm -rf "$data/fuzzy_out"
# --- The Python package (issue 11): Pipeline.run against curate run, a Python filter
# against the C++ one, Arrow export. Needs the module (built with the venv's Python).
if [[ -f $(echo "$build"/python/curate/_curate*.so) ]]; then
  section "Python package on ${e2e_mb} MB, one core"
  cmake --build "$build" -j "$(nproc)" --target _curate >/dev/null
  out=$(PYTHONPATH="$repo/python:$build/python" taskset -c 0 "$repo/.venv/bin/python" \
    "$repo/bench/python/bench_python.py" "$corpus" "$bin/curate" | tee /dev/stderr)
  while IFS= read -r line; do add_row "${line%%:*}" "" "${line#*: }"; done <<<"$out"
fi

# --- Ray (issue 12): the NeMo English pipeline on 2 CPUs, RayExecutor on a local Ray of
# 2 CPUs against the LocalExecutor with 2 workers per stage; object-store MB/s between
# two stages. Needs the module and Ray in the venv.
if [[ -f $(echo "$build"/python/curate/_curate*.so) ]] && "$repo/.venv/bin/python" -c 'import ray' 2>/dev/null; then
  section "Ray executor on ${e2e_mb} MB, 2 CPUs"
  out=$(PYTHONPATH="$repo/python:$build/python" taskset -c "0-$(( $(nproc) > 1 ? 1 : 0 ))" \
    "$repo/.venv/bin/python" "$repo/bench/python/bench_ray.py" "$corpus" --cpus 2 | tee /dev/stderr)
  while IFS= read -r line; do add_row "${line%%:*}" "" "${line#*: }"; done <<<"$out"
fi

# --- MPI (issue 13): the NeMo English pipeline on 1 and 2 ranks (one CPU each), and the
# exact-dedup shuffle's MB/s per rank between 2 ranks; loopback TCP, this machine.
section "MPI: filter pipeline on 1 and 2 ranks, exact-dedup shuffle between 2 ranks"
mpi_mb=256
[[ $quick == 1 ]] && mpi_mb=64
mpi=$("$repo/bench/mpi_bench.sh" "$bin" "$data" "$mpi_mb" | tee /dev/stderr)
mpi_value() { sed -n "s/^$1 //p" <<<"$mpi"; }
add_row "MPI filter pipeline, 2 ranks vs 1 (median of 3, target >= 1.8)" \
  "$(mpi_value mpi_filter_speedup)x" \
  "bench/mpi_bench.sh, ${mpi_mb} MB: $(mpi_value mpi_filter_1rank_s) s vs $(mpi_value mpi_filter_2ranks_s) s"
add_row "MPI exact-dedup shuffle, MB/s per rank, 2 ranks (median of 3)" \
  "$(mpi_value mpi_shuffle_mb_per_s_per_rank) MB/s" "bench/mpi_bench.sh, sent + received"

printf '\n%-58s %14s   %s\n' "benchmark" "result" "how"
printf '%s\n' "$(printf '%.0s-' {1..100})"
printf '%s\n' "${summary[@]}"
