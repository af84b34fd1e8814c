#!/usr/bin/env bash
# A multi-host Docker Swarm test bed on the local engine, for trying msmlab against a swarm where
# no registry on the internet answers (msm-facts §8): N Docker-in-Docker engines ("nodes") on a
# bridge network of their own, node 1 the manager, plus an anonymous registry they all reach.
#
#   scripts/swarm-bed.sh up [--nodes N] [--load IMAGE]...   # default 3 nodes
#   scripts/swarm-bed.sh down
#
# `up` prints, on stdout and nothing else, the two lines to `eval`:
#   export DOCKER_HOST=tcp://172.31.251.11:2375     (the manager)
#   export MSMLAB_PUSH_TO=172.31.251.2:5000         (the registry)
# Progress goes to stderr. Everything it makes carries the label io.msmlab.bed=swarm, which is
# all `down` looks at: it never touches anything else on the engine.
set -euo pipefail
cd "$(dirname "$0")/swarm-bed"

label="io.msmlab.bed=swarm"
net="msmlab-bed-net"
subnet="172.31.251.0/24"
prefix="172.31.251"
registry="msmlab-bed-registry"
registry_ip="$prefix.2"
registry_image="msmlab-bed-registry:bookworm"
node_image="msmlab-bed-node:bookworm"
manager_ip="$prefix.11"
manager="tcp://$manager_ip:2375"

say() { printf '• %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# After `eval "$(… up)"` the shell's DOCKER_HOST is the bed's manager; the bed itself lives on the
# engine underneath, so a DOCKER_HOST pointing into the bed must not be used here (`down` would
# find nothing and leave the bed up).
case "${DOCKER_HOST:-}" in
  tcp://"$prefix".*) say "ignoring DOCKER_HOST=$DOCKER_HOST (inside the bed); using the engine underneath"; unset DOCKER_HOST ;;
esac

node_ip() { echo "$prefix.$((10 + $1))"; }
inner() { local ip="$1"; shift; docker -H "tcp://$ip:2375" "$@"; }

labelled() { # kind (ps -a | network ls | volume ls): ids of what carries the bed's label
  case "$1" in
    containers) docker ps -aq --filter "label=$label" ;;
    networks) docker network ls -q --filter "label=$label" ;;
    volumes) docker volume ls -q --filter "label=$label" ;;
  esac
}

down() {
  local ids
  # Containers first (-v: with their volumes), then the network they were on, then any volume
  # left over (e.g. from a container removed by hand without -v).
  ids="$(labelled containers)"
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
  ids="$(labelled networks)"
  [ -z "$ids" ] || docker network rm $ids >/dev/null
  ids="$(labelled volumes)"
  [ -z "$ids" ] || docker volume rm -f $ids >/dev/null
}

build_if_missing() { # image dockerfile
  docker image inspect "$1" >/dev/null 2>&1 && return 0
  say "building $1 from scripts/swarm-bed/$2 (apt-get from Debian's mirror; once)"
  local log
  log="$(mktemp)"
  if ! docker build -q -t "$1" -f "$2" . >"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"; die "building $1 failed"
  fi
  rm -f "$log"
}

wait_for() { # what seconds command...: polls until the command succeeds
  local what="$1" secs="$2"; shift 2
  for _ in $(seq 1 $((secs * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  die "$what did not happen within ${secs}s"
}

ready_nodes() { inner "$manager_ip" node ls --format '{{.Status}}' 2>/dev/null | grep -c '^Ready$' || true; }

up() {
  local nodes=3 loads=() i ip name token
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
      --nodes=*) nodes="${1#*=}"; shift ;;
      --load) loads+=("${2:?--load needs an image}"); shift 2 ;;
      --load=*) loads+=("${1#*=}"); shift ;;
      *) die "unknown argument to up: $1 (usage: up [--nodes N] [--load IMAGE]...)" ;;
    esac
  done
  [[ "$nodes" =~ ^[0-9]+$ ]] && [ "$nodes" -ge 1 ] && [ "$nodes" -le 50 ] || die "--nodes must be 1..50, not $nodes"
  # Fail before building anything if an image to hand the manager is missing.
  docker image inspect debian:bookworm-slim >/dev/null 2>&1 || die "the local engine lacks debian:bookworm-slim (scripts/base-image.sh builds it)"
  for i in "${loads[@]}"; do
    docker image inspect "$i" >/dev/null 2>&1 || die "--load $i: the local engine has no such image"
  done

  if [ -n "$(labelled containers)$(labelled networks)$(labelled volumes)" ]; then
    say "a bed exists already: tearing it down first"
    down
  fi

  build_if_missing "$node_image" node.Dockerfile
  build_if_missing "$registry_image" registry.Dockerfile

  # A subnet of our own with fixed addresses: the swarm advertises and joins on them, and engines
  # are told to trust the registry over plain http by subnet (--insecure-registry).
  say "network $net ($subnet)"
  docker network create --label "$label" --subnet "$subnet" --gateway "$prefix.1" "$net" >/dev/null

  # Storage on labelled anonymous volumes (--mount volume-label): `rm -v` takes them with the
  # container, and `down` finds any stray one by the label.
  say "registry $registry at $registry_ip:5000"
  docker run -d --name "$registry" --hostname "$registry" --label "$label" \
    --network "$net" --ip "$registry_ip" \
    --mount "type=volume,dst=/var/lib/docker-registry,volume-label=$label" \
    "$registry_image" >/dev/null

  for i in $(seq 1 "$nodes"); do
    name="msmlab-bed-node-$i" ip="$(node_ip "$i")"
    say "node $name at $ip"
    # dockerd in a container, as msm-facts §8 measured it: every capability but SYS_RESOURCE
    # (--privileged fails: one capability is not available), no seccomp/AppArmor profile, the
    # host's cgroups, a tmpfs /run (no stale pid/sockets), and /var/lib/docker on a volume
    # (overlay on overlay does not work). The hostname becomes the swarm node's name.
    docker run -d --name "$name" --hostname "$name" --label "$label" \
      --network "$net" --ip "$ip" \
      --cap-add ALL --cap-drop SYS_RESOURCE \
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
      -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run \
      --mount "type=volume,dst=/var/lib/docker,volume-label=$label" \
      "$node_image" \
      dockerd --host tcp://0.0.0.0:2375 --host unix:///var/run/docker.sock --tls=false \
      --insecure-registry "$subnet" >/dev/null
  done

  for i in $(seq 1 "$nodes"); do
    wait_for "the engine in msmlab-bed-node-$i answering" 60 inner "$(node_ip "$i")" info
  done
  wait_for "the registry answering" 30 curl -fsS --max-time 2 "http://$registry_ip:5000/v2/"

  # --advertise-addr: the node has one address here, but say it anyway so the swarm never picks
  # another interface (e.g. docker_gwbridge once it exists).
  say "swarm init on msmlab-bed-node-1 (manager, $manager_ip)"
  inner "$manager_ip" swarm init --advertise-addr "$manager_ip" >/dev/null
  token="$(inner "$manager_ip" swarm join-token -q worker)"
  for i in $(seq 2 "$nodes"); do
    ip="$(node_ip "$i")"
    say "msmlab-bed-node-$i joins as a worker"
    inner "$ip" swarm join --advertise-addr "$ip" --token "$token" "$manager_ip:2377" >/dev/null
  done
  say "waiting for $nodes Ready nodes"
  wait_for "$nodes nodes Ready" 60 bash -c "[ \"\$(docker -H $manager node ls --format '{{.Status}}' | grep -c '^Ready\$')\" -eq $nodes ]"

  # Only the manager gets images: msmlab builds there; workers pull what it pushed to the registry.
  say "loading debian:bookworm-slim${loads[*]:+ ${loads[*]}} into the manager"
  docker save debian:bookworm-slim "${loads[@]}" | inner "$manager_ip" load -q >/dev/null

  say "bed up: $nodes nodes, manager $manager, registry $registry_ip:5000 ($(ready_nodes) Ready)"
  echo "export DOCKER_HOST=$manager"
  echo "export MSMLAB_PUSH_TO=$registry_ip:5000"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down)
    shift
    [ $# -eq 0 ] || die "down takes no arguments"
    if [ -z "$(labelled containers)$(labelled networks)$(labelled volumes)" ]; then
      say "no bed to take down"
    else
      say "taking the bed down"
      down
    fi
    ;;
  *) die "usage: $0 up [--nodes N] [--load IMAGE]... | $0 down" ;;
esac
