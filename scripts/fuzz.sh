#!/usr/bin/env bash
# Fuzzes the readers and the evaluation with cargo-fuzz (libFuzzer + AddressSanitizer):
#   ./scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Default: 60 seconds for each of policy, scenario, template, share_link, evaluation.
# The corpus grows in fuzz/corpus/TARGET (seeded from fuzz/seeds/TARGET); crashes are kept in
# fuzz/artifacts/TARGET and make the script fail.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(policy scenario template share_link evaluation)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --version 0.13.2
fi

# cargo-fuzz passes sanitizer flags that stable rustc accepts only with RUSTC_BOOTSTRAP;
# this is the one toolchain the machines have.
export RUSTC_BOOTSTRAP=1
cd fuzz
cargo fuzz build -O 2>&1 | tail -n 2
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 2>&1 \
    | grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|==[0-9]+==ERROR|SUMMARY|.*panicked)' || true
  if [ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]; then
    echo "fuzz: $target found a failing input: fuzz/artifacts/$target" >&2
    exit 1
  fi
done
