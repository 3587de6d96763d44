#!/usr/bin/env bash
# Instructions per request, counted by callgrind: unlike wall-clock time, the count does not
# change when other processes share the machine, so it is the number to compare before and
# after a change. Runs the in-process throughput runner (benches/throughput.rs) for a fixed
# number of passes and counts only inside its measured passes.
#
#   scripts/bench-instructions.sh            # example scenario, corpus, large 50x20 set
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v valgrind >/dev/null || { echo "bench-instructions: valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

# Build once and find the runner: `cargo bench --no-run` prints the executable's path.
runner=$(cargo bench --bench throughput --no-run --message-format=json 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){if(!l)continue;const m=JSON.parse(l);if(m.reason==="compiler-artifact"&&m.target.name==="throughput"&&m.executable)console.log(m.executable)}})')
[ -x "$runner" ] || { echo "bench-instructions: could not build benches/throughput.rs" >&2; exit 1; }

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
i=0
for f in tests/scenarios/*/*.json; do cp "$f" "$corpus/$(printf %03d $i).json"; i=$((i + 1)); done

count() { # name passes args...
  local name=$1 passes=$2; shift 2
  local out="$corpus/callgrind.out" line
  line=$(valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*timed_pass*' \
    "$runner" "$@" --passes "$passes" 2>/dev/null)
  local per_pass=$(node -e 'const j=JSON.parse(process.argv[1]);console.log(j.requests_per_pass)' "$line")
  local ir=$(awk '/^summary:/ { print $2 }' "$out")
  node -e 'const [n,ir,p,r]=process.argv.slice(1);const per=ir/(p*r);console.log(`${n.padEnd(34)} ${String(Math.round(per)).padStart(12)} instructions/request  (${r} requests x ${p} passes)`)' \
    "$name" "$ir" "$passes" "$per_pass"
}

count "example scenario (text -> outcome)" 20 --example
count "corpus tests/scenarios (text)" 3 "$corpus"
count "large 50x20 set (evaluate only)" 2 --large-set
