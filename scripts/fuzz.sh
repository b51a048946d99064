#!/usr/bin/env bash
# Build the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer)
# and run each for FUZZ_SECONDS (default 300). The build compiles the few library sources
# a target needs directly, so it needs no CMake configuration of its own.
#
#   scripts/fuzz.sh                 build and run every target
#   FUZZ_SECONDS=30 scripts/fuzz.sh a shorter run
#   FUZZ_JOBS=2 scripts/fuzz.sh     run that many fuzzing processes in parallel
#
# Exit status: 0 when no target found a crash, a leak or a sanitizer report. Findings
# are left as crash-*/leak-* files in $FUZZ_DIR (default build-fuzz/).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-300}
jobs=${FUZZ_JOBS:-1}
out=${FUZZ_DIR:-$root/build-fuzz}
cxx=${FUZZ_CXX:-}
if [[ -z "$cxx" ]]; then
  for candidate in clang++ clang++-16 clang++-15 clang++-14; do
    if command -v "$candidate" >/dev/null; then cxx=$candidate; break; fi
  done
fi
if [[ -z "$cxx" ]]; then
  echo "fuzz: clang++ not found; install Debian's clang (make deps does)" >&2
  exit 1
fi
mkdir -p "$out"

flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I "$root/src")
libs=(-lsimdjson -lz -lzstd -lxxhash -lspdlog -lfmt -lpthread)

# Sources of the reading path (io) and the batch types it builds on (core).
io_sources=(compression input_stream decompressing_stream line_reader record_parser
            batch_builder bad_record_sink json_text json_object_scanner jsonl_encoder
            buffer_pool pooled_string_builder)
core_sources=(column document_batch task task_ids)
sources=()
for name in "${io_sources[@]}"; do sources+=("$root/src/curate/io/$name.cpp"); done
for name in "${core_sources[@]}"; do sources+=("$root/src/curate/core/$name.cpp"); done

status=0
for target in jsonl_reader_fuzz; do
  echo "fuzz: building $target with $cxx"
  "$cxx" "${flags[@]}" "$root/fuzz/$target.cpp" "${sources[@]}" "${libs[@]}" -o "$out/$target"
  corpus="$out/corpus-$target"
  mkdir -p "$corpus"
  seeds="$root/fuzz/corpus/${target%_fuzz}"
  echo "fuzz: running $target for ${seconds}s"
  parallel=()
  if [[ $jobs -gt 1 ]]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
  # A crash, leak or sanitizer report ends the run with a non-zero status and leaves a
  # crash-*, leak-* or timeout-* file behind.
  if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "./$target" -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
        "${parallel[@]}" -print_final_stats=1 -dict="$root/fuzz/jsonl.dict" "$corpus" "$seeds"); then
    status=1
  fi
  if compgen -G "$out/crash-*" >/dev/null || compgen -G "$out/leak-*" >/dev/null ||
     compgen -G "$out/timeout-*" >/dev/null; then
    status=1
  fi
  if [[ $status -ne 0 ]]; then echo "fuzz: $target found a problem; see $out" >&2; fi
done
if [[ $status -eq 0 ]]; then echo "fuzz: no crash or sanitizer report"; fi
exit $status
