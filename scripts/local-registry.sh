#!/usr/bin/env bash
# A registry on loopback holding stand-ins for Docker Hub's official tomcat, nginx and memcached
# images, for the tests of `msmlab up --images official --registry 127.0.0.1:5555` where no real
# registry answers. It uses Debian's `docker-registry` (installed when missing), run as a plain
# background process with its config and storage under /tmp, and images built from
# tests/official-images/ on the local base image. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

addr="${MSMLAB_TEST_REGISTRY:-127.0.0.1:5555}"
dir="${MSMLAB_TEST_REGISTRY_DIR:-/tmp/msmlab-registry}"
base_image="${MSMLAB_BASE_IMAGE:-debian:bookworm-slim}"
maven_repo="${MSMLAB_MAVEN_REPO:-https://repo1.maven.org/maven2}"
cache="${MSMLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/msmlab}"
# The tags msmlab's table (src/plan/official.rs) asks for on Tomcat 9, 10.1 and 11 (a JDK tag:
# the stand-in's Debian JRE carries javac as a module, as the JDK image does).
images=(tomcat:9.0-jre17 tomcat:10.1-jre17 tomcat:11.0-jdk17 nginx:1.27 memcached:1.6)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

say() { printf '• %s\n' "$*" >&2; }

need_apt=()
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if [ "${#need_apt[@]}" -gt 0 ]; then
  . scripts/apt.sh
  apt_install "${need_apt[@]}"
fi

answers() { curl -fsS -o /dev/null --max-time 2 "http://$addr/v2/" 2>/dev/null; }

if ! answers; then
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr
YAML
  say "starting a registry on $addr (docker-registry, storage $dir/data, log $dir/registry.log)"
  nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 50); do answers && break; sleep 0.2; done
  answers || { say "the registry did not start; its log:"; tail -n 20 "$dir/registry.log" >&2; exit 1; }
fi

has() { # repo tag
  curl -fsS -o /dev/null --max-time 5 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$addr/v2/library/$1/manifests/$2" 2>/dev/null
}

# The Tomcat distribution msmlab pins for a line (9.0, 10.1), from its cache or the Maven
# repository, checked.
tomcat_tarball() { # line dest
  local coords version sha path line="${1//./\\.}"
  shift
  coords="$(grep -o "org.apache.tomcat:tomcat:tar.gz:$line\.[0-9]*" jars.lock | head -n 1)"
  version="${coords##*:}"
  sha="$(grep -A3 "coords = \"$coords\"" jars.lock | grep -o '[0-9a-f]\{64\}' | head -n 1)"
  path="org/apache/tomcat/tomcat/$version/tomcat-$version.tar.gz"
  if [ -f "$cache/maven/$path" ]; then
    cp "$cache/maven/$path" "$1"
  else
    curl -fsSL --max-time 300 -o "$1" "$maven_repo/$path"
  fi
  echo "$sha  $1" | sha256sum -c --quiet - || { say "tomcat-$version.tar.gz does not match jars.lock"; exit 1; }
}

docker image inspect "$base_image" >/dev/null 2>&1 || scripts/base-image.sh "$base_image"

for image in "${images[@]}"; do
  repo="${image%%:*}" tag="${image#*:}"
  if has "$repo" "$tag"; then
    continue
  fi
  say "building a stand-in for $image and pushing it to $addr/library/$image"
  ctx="$(mktemp -d "${TMPDIR:-/tmp}/msmlab-official.XXXXXX")"
  cp "tests/official-images/$repo.Dockerfile" "$ctx/Dockerfile"
  [ "$repo" = tomcat ] && tomcat_tarball "${tag%%-*}" "$ctx/tomcat.tar.gz"
  if ! docker build -t "msmlab-official-fixture/$image" "$ctx" >"$dir/build.log" 2>&1; then
    say "building the stand-in for $image failed:"; tail -n 20 "$dir/build.log" >&2; exit 1
  fi
  rm -rf "$ctx"
  docker tag "msmlab-official-fixture/$image" "$addr/library/$image"
  docker push -q "$addr/library/$image" >/dev/null
  # Only the registry's name goes: msmlab must pull it back through the registry.
  docker rmi "$addr/library/$image" >/dev/null
done
say "registry $addr holds ${images[*]} under library/"
