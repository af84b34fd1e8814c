#!/usr/bin/env bash
# The statically linked msmlab (musl; rustls, no OpenSSL) that runs in a bare container with
# nothing installed, as a CI job drops it in (docs/ci.md). Installs what the build needs when
# it is missing: Rust's musl target and Debian's musl-tools. Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
say() { printf '• %s\n' "$*" >&2; }

if ! command -v musl-gcc >/dev/null 2>&1; then
  . scripts/apt.sh
  apt_install musl-tools
fi
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  rustup target add "$target" >&2
fi
cargo build --release --locked --target "$target" >&2
echo "$PWD/target/$target/release/msmlab"
