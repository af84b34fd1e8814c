#!/usr/bin/env bash
# Makes sure the engine has a base image msmlab builds on (default debian:bookworm-slim; the
# Tomcat images of --jre 11 and 21 use debian:bullseye-slim and debian:trixie-slim).
# It pulls it where a registry answers; where none does, it builds an equivalent Debian
# image with `debootstrap --variant=minbase` and `docker import`.
#   scripts/base-image.sh [IMAGE]      e.g. scripts/base-image.sh debian:trixie-slim
set -euo pipefail

image="${1:-${MSMLAB_BASE_IMAGE:-debian:bookworm-slim}}"
# The Debian release comes from the image name (debian:trixie-slim → trixie).
case "$image" in
  debian:*) suite="${image#debian:}"; suite="${suite%-slim}" ;;
  *) suite="${MSMLAB_DEBIAN_SUITE:-bookworm}" ;;
esac
# Empty: debootstrap's own default mirror.
mirror="${MSMLAB_DEBIAN_MIRROR:-}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

say() { printf '• %s\n' "$*" >&2; }

if docker image inspect "$image" >/dev/null 2>&1; then
  say "base image $image is present"
  exit 0
fi
# Where packets to a registry are dropped rather than refused, give up after a minute.
if timeout 60 docker pull "$image" >/dev/null 2>&1; then
  say "base image $image pulled from the registry"
  exit 0
fi

say "no registry answers for $image: building it with debootstrap ($suite, minbase; about 30 s)"
command -v debootstrap >/dev/null 2>&1 || {
  say "debootstrap is missing: apt-get install debootstrap"
  exit 1
}
rootfs="$(mktemp -d "${TMPDIR:-/tmp}/msmlab-rootfs.XXXXXX")"
trap '$sudo rm -rf "$rootfs"' EXIT
$sudo debootstrap --variant=minbase "$suite" "$rootfs" ${mirror:+"$mirror"} >/dev/null
# Like the official slim image: no apt caches, and a shell as the default command.
$sudo rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
$sudo tar -C "$rootfs" -c . | docker import \
  --change 'CMD ["bash"]' \
  --message "debootstrap --variant=minbase $suite (made by msmlab scripts/base-image.sh)" \
  - "$image" >/dev/null
say "base image $image built locally"
