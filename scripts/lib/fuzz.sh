# The libFuzzer targets of fuzz/ (docs/fuzzing.md): built with clang in a build directory of their
# own, started from fresh seed corpora, each run for a bounded time. Sourced by scripts/test after
# common.sh; defines functions and lists, and changes nothing until a function is called.

# Debian packages the fuzz build needs besides GPS_PACKAGES: clang and its compiler-rt runtimes
# (libFuzzer, ASan, UBSan), which apt leaves out with --no-install-recommends.
GPS_FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)

# One fuzz/<name>_fuzz.cpp each, built as fuzz_<name>.
GPS_FUZZ_TARGETS=(announce job result command device_inbound bundle)

# gps_fuzz_build <dir>: configures dir with clang and GPS_FUZZ=ON, and builds every target and the
# seed generator.
gps_fuzz_build() {
  local dir="$1"
  cmake -S "$GPS_ROOT" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DGPS_FUZZ=ON \
    >/dev/null || return 1
  cmake --build "$dir" -j "$(nproc)" || return 1
}

# gps_fuzz_report <dir> <target> <exit code>: one line of figures from the target's log, and for a
# failure what it found and where the input that triggers it was kept.
gps_fuzz_report() {
  local dir="$1" target="$2" rc="$3"
  local log="$dir/logs/$target.log"
  local runs speed cov
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -n 1)"
  if [ "$rc" -eq 0 ]; then
    gps_log "fuzz $target: ok, ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-no coverage line}"
    return 0
  fi
  gps_log "fuzz $target: FAILED (exit $rc) after ${runs:-?} runs; log: $log"
  grep -E 'fuzz check failed|runtime error|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)' \
    "$log" | head -n 5 >&2
  local artifact
  artifact="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
  if [ -n "$artifact" ]; then
    gps_log "fuzz $target: failing input: $artifact"
    gps_log "fuzz $target: reproduce with: $dir/fuzz/fuzz_$target $artifact"
  fi
  return 1
}

# gps_fuzz_run <dir> <seconds>: makes the seed corpora and runs every target for <seconds>, as
# many at once as there are cores. Inputs that add coverage are kept in <dir>/corpus/<target>
# for the next run, crashing inputs in <dir>/artifacts/<target>/. Fails when any target does.
gps_fuzz_run() {
  local dir="$1" seconds="$2"
  local seeds="$dir/seeds"
  rm -rf "$seeds"
  "$dir/fuzz/gps_fuzz_seeds" "$seeds" || { gps_log "fuzz: making the seed corpora failed"; return 1; }
  mkdir -p "$dir/logs"
  # Undefined behaviour already stops a target (-fno-sanitize-recover); this adds its stack.
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
  local width failed=0 i t
  width="$(nproc)"
  for (( i = 0; i < ${#GPS_FUZZ_TARGETS[@]}; i += width )); do
    local batch=("${GPS_FUZZ_TARGETS[@]:i:width}") pids=()
    for t in "${batch[@]}"; do
      local corpora=("$dir/corpus/$t" "$seeds/$t")
      [ -d "$GPS_ROOT/fuzz/corpus/$t" ] && corpora+=("$GPS_ROOT/fuzz/corpus/$t")
      mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
      : >"$dir/logs/$t.log"
      # The first corpus directory takes the new inputs, so the committed one is never written.
      gps_spawn "$dir/logs/$t.log" "$dir/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
        -print_final_stats=1 -dict="$GPS_ROOT/fuzz/json.dict" \
        -artifact_prefix="$dir/artifacts/$t/" "${corpora[@]}" >/dev/null
      pids+=("${GPS_PIDS[-1]}")
    done
    local k
    for k in "${!batch[@]}"; do
      wait "${pids[$k]}"
      gps_fuzz_report "$dir" "${batch[$k]}" "$?" || failed=1
    done
  done
  return "$failed"
}
