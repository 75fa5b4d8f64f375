#!/usr/bin/env bash
# Fuzzes every parser of outside input (the targets in fuzz/fuzz_targets/)
# for SECONDS_PER_TARGET seconds each (default 60), one after the other.
# Installs what it needs first (cargo-fuzz), safe to run again. Exits
# non-zero when a target crashes, and says where the crashing input is.
#
#   scripts/fuzz.sh          # 60 s per target
#   scripts/fuzz.sh 300      # 5 minutes per target
#   FUZZ_TARGETS="host_addresses" scripts/fuzz.sh 30   # only some targets
#
# New inputs that reach new code accumulate in fuzz/corpus/TARGET (kept
# between runs, not committed); the committed seeds are in fuzz/seeds/.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"
cd "$repo_root"

seconds="${1:-60}"
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]"

ensure_rust
ensure_fuzz_tools

# cargo-fuzz compiles with -Z flags (the address sanitizer, coverage
# instrumentation) that rustc accepts only on nightly. Only the stable
# toolchain is installed, and stable rustc accepts -Z flags when
# RUSTC_BOOTSTRAP=1; the sanitizer's runtime ships in the stable rust-std.
# Fuzzing is the only thing built this way: the fuzz/ workspace and its
# fuzz/target folder are apart from the app's.
export RUSTC_BOOTSTRAP=1
fuzz=(cargo fuzz)
fuzz_dir=(--fuzz-dir fuzz)

read -r -a targets <<<"${FUZZ_TARGETS:-$("${fuzz[@]}" list "${fuzz_dir[@]}" | tr '\n' ' ')}"
say "Building ${#targets[@]} fuzz targets"
"${fuzz[@]}" build "${fuzz_dir[@]}" --sanitizer address

mkdir -p fuzz/logs
crashed=()
for target in "${targets[@]}"; do
  say "Fuzzing $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  log="fuzz/logs/$target.log"
  started=$(mktemp)
  # A dictionary of the words the parser looks for, where there is one.
  dict=()
  [[ -f "fuzz/dicts/$target.dict" ]] && dict=(-dict="fuzz/dicts/$target.dict")
  # The first folder gathers new inputs; the seeds are only read.
  if "${fuzz[@]}" run "${fuzz_dir[@]}" --sanitizer address "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
    >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    printf '    %s: %s runs, no crash; corpus %s inputs\n' "$target" "${runs:-?}" "$corpus" >&2
  else
    crashed+=("$target")
    # The panic and its message (the property that failed), or the
    # sanitizer's or libFuzzer's own report (a leak, a timeout, memory).
    grep -a -A3 -E 'panicked at|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer: (timeout|out-of-memory))' "$log" |
      grep -a -v -E '^(stack backtrace|--)' | head -6 >&2 || true
    inputs=$(find "fuzz/artifacts/$target" -type f -newer "$started")
    printf '    %s CRASHED. Crashing input(s):\n%s\n    Reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz %s INPUT\n    Full log: %s\n' \
      "$target" "${inputs:-    (none written; see the log)}" "$target" "$log" >&2
  fi
  rm -f "$started"
done

if [[ ${#crashed[@]} -gt 0 ]]; then
  printf '\033[1;31mFuzzing found crashes in: %s\033[0m\n' "${crashed[*]}" >&2
  exit 1
fi
printf '\033[1;32mNo crash in %d fuzz targets (%ss each).\033[0m\n' "${#targets[@]}" "$seconds" >&2
