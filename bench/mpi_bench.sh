#!/usr/bin/env bash
# MPI benchmarks (issue 13), on this machine's loopback: the NeMo English filter
# pipeline (bench/pipelines/nemo_english_e2e.yaml, one CPU per rank) on 1 and 2 ranks,
# and the MB/s per rank that the exact-dedup shuffle moves between 2 ranks (bytes sent
# plus received over the seconds in the exchanges, as each rank logs them). The machine's
# load (uptime) is printed first, and the CPU-seconds per MB of each filter run (user +
# system of mpirun and its ranks, /usr/bin/time), which a busy machine changes less than
# wall times.
# Usage: bench/mpi_bench.sh BIN_DIR DATA_DIR [CORPUS_MB]. Prints "name value" lines last.
set -euo pipefail
bin=$1
data=$2
mb=${3:-256}
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${MPI_BENCH_RUNS:-3}
export OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_rmaps_base_oversubscribe=1
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mpirun=${MPIRUN:-mpirun}

corpus=$data/mpi_${mb}mb
[[ -d $corpus ]] || "$bin/gen_corpus" --output "$corpus" --size "${mb}M" --files 32 \
  --doc-bytes 4096 >&2
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

bytes=$(du -sb "$corpus" | cut -f1)
echo "load before: $(uptime)" >&2
# "WALL CPU": the executor's wall time from stats.json (without mpirun's start, about
# 0.5 s) and the CPU-seconds of the whole command.
filter_run() {
  rm -rf "$data/mpi_out" "$data/mpi_logs"
  /usr/bin/time -f '%U %S' -o "$data/mpi_time" \
    "$mpirun" -np "$1" --bind-to none "$bin/curate" run "$repo/bench/pipelines/nemo_english_e2e.yaml" \
    --quiet --overwrite --set "stages.0.params.paths=$corpus" \
    --set "stages.2.params.output_dir=$data/mpi_out" --log-dir "$data/mpi_logs" >&2
  echo "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["wall_time_s"])' \
    "$data/mpi_logs/stats.json") $(awk '{ print $1 + $2 }' "$data/mpi_time")"
}
one=()
two=()
cpu_one=()
cpu_two=()
for run in $(seq "$runs"); do
  read -r wall cpu <<<"$(filter_run 1)"
  one+=("$wall")
  cpu_one+=("$cpu")
  read -r wall cpu <<<"$(filter_run 2)"
  two+=("$wall")
  cpu_two+=("$cpu")
  echo "filter run $run: 1 rank ${one[-1]} s (${cpu_one[-1]} CPU-s), 2 ranks ${two[-1]} s (${cpu_two[-1]} CPU-s)" >&2
done
t1=$(printf '%s\n' "${one[@]}" | median)
t2=$(printf '%s\n' "${two[@]}" | median)
c1=$(printf '%s\n' "${cpu_one[@]}" | median)
c2=$(printf '%s\n' "${cpu_two[@]}" | median)

rates=()
for run in $(seq "$runs"); do
  rm -rf "$data/mpi_exact_out" "$data/mpi_logs"
  out=$("$mpirun" -np 2 --bind-to none "$bin/curate" run "$repo/bench/pipelines/exact_dedup_mpi.yaml" \
    --quiet --overwrite --set "stages.0.params.paths=$corpus" \
    --set "stages.1.params.removal_list_dir=$data/mpi_exact_out" --log-dir "$data/mpi_logs" 2>&1)
  # One line per rank: "... moved X MB in Y s (Z MB/s)"; the slower rank's rate counts.
  rate=$(grep -o 'moved [0-9.]* MB in [0-9.]* s ([0-9]* MB/s)' <<<"$out" |
    sed 's/.*(\([0-9]*\) MB\/s)/\1/' | sort -g | head -1)
  moved=$(grep -o 'moved [0-9.]* MB' <<<"$out" | head -1)
  echo "shuffle run $run: $moved per rank, $rate MB/s (slower rank)" >&2
  rates+=("$rate")
done
rm -rf "$data/mpi_out" "$data/mpi_exact_out" "$data/mpi_logs" "$data/mpi_time"
echo "load after: $(uptime)" >&2

echo "mpi_filter_1rank_s $t1"
echo "mpi_filter_2ranks_s $t2"
echo "mpi_filter_speedup $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')"
echo "mpi_filter_cpu_s_per_mb_1rank $(awk -v c="$c1" -v b="$bytes" 'BEGIN { printf "%.4f", c / (b / 1e6) }')"
echo "mpi_filter_cpu_s_per_mb_2ranks $(awk -v c="$c2" -v b="$bytes" 'BEGIN { printf "%.4f", c / (b / 1e6) }')"
echo "mpi_filter_mb_per_s_2ranks $(awk -v b="$bytes" -v t="$t2" 'BEGIN { printf "%.1f", b / 1e6 / t }')"
echo "mpi_shuffle_mb_per_s_per_rank $(printf '%s\n' "${rates[@]}" | median)"
