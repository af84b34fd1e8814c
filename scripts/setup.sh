#!/usr/bin/env bash
# Makes this machine ready for msmlab: a running Docker engine and a base image.
# Safe to run again: it only does what is missing. Debian/Ubuntu (apt) for installs.
set -euo pipefail
cd "$(dirname "$0")/.."

base_image="${MSMLAB_BASE_IMAGE:-debian:bookworm-slim}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

say() { printf '• %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null 2>&1; then
  say "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again"
  exit 1
fi

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
# wrk: the reference load generator of `msmlab bench --compare-wrk` (and its test).
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
if [ "${#need_apt[@]}" -gt 0 ]; then
  . scripts/apt.sh
  apt_install "${need_apt[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    say "starting the Docker engine (systemctl start docker)"
    $sudo systemctl start docker
  else
    say "starting the Docker engine (dockerd in the background, log: /var/log/msmlab-dockerd.log)"
    $sudo sh -c 'nohup dockerd >/var/log/msmlab-dockerd.log 2>&1 &'
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    say "the Docker engine did not come up; its log:"
    tail -n 20 /var/log/msmlab-dockerd.log >&2 || true
    exit 1
  fi
fi
say "Docker engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

# The Tomcat images of --jre 11 and --jre 21 build on the Debian releases that ship them.
# Set MSMLAB_JRES="17" to prepare only the default one. They are made side by side.
images="$base_image"
for jre in ${MSMLAB_JRES:-11 17 21}; do
  case "$jre" in
    11) images="$images debian:bullseye-slim" ;;
    17) images="$images debian:bookworm-slim" ;;
    21) images="$images debian:trixie-slim" ;;
    *) say "MSMLAB_JRES: unknown JRE $jre (use 11, 17 or 21)"; exit 1 ;;
  esac
done
pids=""
for image in $(printf '%s\n' $images | sort -u); do
  scripts/base-image.sh "$image" &
  pids="$pids $!"
done
for pid in $pids; do
  wait "$pid" || { say "a base image could not be made (see above)"; exit 1; }
done
