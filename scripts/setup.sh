#!/usr/bin/env bash
# Installs what building and testing iamplay needs, and nothing that is already there:
# the wasm32 target, the wasm-bindgen CLI matching Cargo.lock, the npm tools (wasm-opt from
# `binaryen`, `playwright-core`) and Debian's Chromium with its chromedriver. Every piece
# comes from a package registry: no browser or binary is downloaded any other way.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. The Rust target for the browser build.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target present"
else
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 1b. The standard library's source: the page's wasm rebuilds std for size (scripts/build.sh).
if rustup component list --installed | grep -q '^rust-src'; then
  say "rust-src component present"
else
  say "adding the rust-src component"
  rustup component add rust-src
fi

# 2. The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
if [ ! -f Cargo.lock ]; then
  say "no Cargo.lock yet: generating it"
  cargo generate-lockfile
fi
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$want" ]; then
  echo "setup: could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" = "$want" ]; then
  say "wasm-bindgen CLI $have present"
else
  say "installing wasm-bindgen-cli $want (found '${have:-none}'); about 2 minutes"
  # Without --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$want"
fi

# 3. npm tools, pinned by package-lock.json.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
  touch node_modules
else
  say "node_modules up to date"
fi

# 4. The browser for both test suites: Debian's Chromium and chromedriver.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "chromium and chromedriver present"
else
  say "installing Debian packages chromium and chromium-driver"
  # Another apt run (an unattended upgrade, a second checkout's setup) can hold the locks or
  # race on the download cache: wait for the locks, and try again once after a failure.
  apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }
  apt_get update
  if ! apt_get install -y chromium chromium-driver; then
    say "apt-get install failed; trying once more"
    sleep 5
    apt_get update
    apt_get install -y --fix-missing chromium chromium-driver
  fi
fi
