#!/usr/bin/env bash
# Reproduces the figures in docs/performance.md and writes them to a results directory:
#   1. msmlab bench: every supported serializer, with msmlab's load generator checked
#      against wrk on nginx's static answer in the same run;
#   2. warm `msmlab up` (to verified-ready) against `docker compose up --wait` of the same lab
#      (same images, same files, healthchecks making the same probes), and against the floor
#      (slowest Tomcat's "Server startup in" + nginx's first proxied answer), RUNS times each,
#      taking turns.
# Usage: scripts/bench.sh [RESULTS_DIR]   (default bench-results)
# Settings (environment): DURATION=20s WARMUP=10s CONCURRENCY=16 PAYLOAD_KB=4
#   PAYLOAD_ATTRIBUTES=4 PAYLOAD_SHAPE=collections RUNS=5 PORT=13490 SKIP_SERIALIZERS=1 SKIP_UP=1
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-bench-results}"
duration="${DURATION:-20s}" warmup="${WARMUP:-10s}" concurrency="${CONCURRENCY:-16}"
payload_kb="${PAYLOAD_KB:-4}" payload_attributes="${PAYLOAD_ATTRIBUTES:-4}" payload_shape="${PAYLOAD_SHAPE:-collections}"
runs="${RUNS:-5}" port="${PORT:-13490}"
up_lab="bench-up" compose_lab="bench-compose"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
say() { printf '• %s\n' "$*" >&2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# --- tools -------------------------------------------------------------------------------
cargo build --release --locked -q
msmlab="$PWD/target/release/msmlab"
command -v wrk >/dev/null 2>&1 || { say "installing wrk"; $sudo apt-get install -y -qq wrk >/dev/null; }
for tool in jq bc curl; do
  command -v $tool >/dev/null 2>&1 || { say "installing $tool"; $sudo apt-get install -y -qq $tool >/dev/null; }
done

# Compose v2: the docker CLI plugin if there is one, else Debian trixie's docker-compose
# package (Compose 2.26, works with Engine 20.10), downloaded and unpacked into the cache
# from the mirror this machine's apt already uses.
compose_bin() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"; return; fi
  local dir="${MSMLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/msmlab}/compose"
  local plugin="$dir/root/usr/libexec/docker/cli-plugins/docker-compose"
  if [ ! -x "$plugin" ]; then
    say "fetching Compose v2 (Debian trixie's docker-compose package) into $dir"
    local mirror
    mirror="$(grep -hoE '^(URIs:|deb) +[a-z]+://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
      | head -n1 | awk '{print $2}')"
    [ -n "$mirror" ] || { say "no Debian mirror found in /etc/apt: install Compose v2 yourself"; exit 1; }
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/root" "$dir/sources"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" >"$dir/sources/trixie.sources"
    # apt with a source list and state of its own: the machine's apt setup is left alone.
    local apt=(apt-get -qq -o "Dir::Etc::SourceList=$dir/none.list" -o "Dir::Etc::SourceParts=$dir/sources"
      -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "APT::Sandbox::User=root")
    "${apt[@]}" update
    (cd "$dir" && "${apt[@]}" download docker-compose)
    dpkg -x "$dir"/docker-compose_*.deb "$dir/root"
  fi
  echo "$plugin"
}

machine() {
  echo "cpus=$(nproc) model=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')\" kernel=$(uname -r)"
  echo "docker=$(docker version --format '{{.Server.Version}}') uptime=\"$(uptime)\""
}
{ echo "date: $(date -u +%FT%TZ)"; machine; } | tee "$out/machine.txt" >&2

# --- 1. serializers and the load generator ------------------------------------------------
if [ -z "${SKIP_SERIALIZERS:-}" ]; then
  say "msmlab bench: all serializers, $concurrency clients, $duration each after $warmup warm-up"
  "$msmlab" bench --name bench --serializers all --duration "$duration" --warmup "$warmup" --concurrency "$concurrency" \
    --payload-kb "$payload_kb" --payload-attributes "$payload_attributes" --payload-shape "$payload_shape" \
    --port "$port" --compare-wrk --out "$out/serializers" | tee "$out/serializers.txt"
fi

# --- 2. up against compose and the floor ---------------------------------------------------
if [ -z "${SKIP_UP:-}" ]; then
  compose="$(compose_bin)"
  say "compose: $($compose version 2>/dev/null | head -n1)"
  "$msmlab" down --name "$up_lab" >/dev/null
  # A first up makes sure the images and jars are cached (the warm path is what is measured),
  # and gives the files Compose mounts: copied out of the running lab, names changed.
  "$msmlab" up --name "$up_lab" --port "$port" -q >/dev/null
  files="$out/compose-files"
  rm -rf "$files" && mkdir -p "$files"
  docker cp "msmlab-$up_lab-tomcat-1:/usr/local/tomcat/lib" "$files/lib"
  docker cp "msmlab-$up_lab-tomcat-1:/usr/local/tomcat/conf/context.xml" "$files/context.xml"
  docker cp "msmlab-$up_lab-tomcat-1:/usr/local/tomcat/webapps/ShareSession" "$files/ShareSession"
  docker cp "msmlab-$up_lab-nginx-1:/etc/nginx/nginx.conf" "$files/nginx.conf"
  sed -i "s/msmlab-$up_lab-/msmlab-$compose_lab-/g" "$files/context.xml" "$files/nginx.conf"
  chmod -R a+rX "$files"
  image() { docker inspect --format '{{.Config.Image}}' "msmlab-$up_lab-$1-1"; }
  export MEMCACHED_IMAGE="$(image memcached)" TOMCAT_IMAGE="$(image tomcat)" NGINX_IMAGE="$(image nginx)"
  export FILES="$files" PORT="$port" LAB="$compose_lab"
  export CATALINA_OPTS="$(docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "msmlab-$up_lab-tomcat-1" | sed -n 's/^CATALINA_OPTS=//p')"
  now() { date +%s.%N; }
  : >"$out/up.jsonl"
  # The floor as one container sees it: a Tomcat of the running lab stopped and started
  # again, from `docker start` to its test page's first 200 (the probe msmlab makes). This
  # counts what the log's "Server startup in" does not: the engine's start and the JVM's boot.
  tc="msmlab-$up_lab-tomcat-1"
  for i in $(seq 1 3); do
    docker stop -t 5 "$tc" >/dev/null
    t0=$(now)
    docker start "$tc" >/dev/null
    until docker exec "$tc" bash -c "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /ShareSession/ShowSession?probe=1 HTTP/1.0\r\n\r\n' >&3 && timeout 5 head -c 12 <&3" 2>/dev/null \
      | grep -q 'HTTP/1.1 200'; do sleep 0.05; done
    t1=$(now)
    echo "{\"run\":\"container\",\"wall\":$(echo "$t1 - $t0" | bc)}" | tee -a "$out/up.jsonl" >&2
  done
  "$msmlab" down --name "$up_lab" >/dev/null
  cf=(-p "$compose_lab" -f scripts/bench/compose.yml)
  $compose "${cf[@]}" down -t 1 >/dev/null 2>&1 || true

  # Until the test page answers 200 through nginx: what "ready" means for both.
  page_answers() {
    for _ in $(seq 1 600); do
      curl -fsS -o /dev/null "http://127.0.0.1:$port/ShareSession/ShowSession?probe=1" && return 0
      sleep 0.05
    done
    return 1
  }
  for i in $(seq 1 "$runs"); do
    t0=$(now)
    "$msmlab" up --name "$up_lab" --port "$port" -q --json >"$out/up-$i.json"
    page_answers
    t1=$(now)
    jq -c --arg wall "$(echo "$t1 - $t0" | bc)" '{run: "msmlab", wall: ($wall|tonumber), total: .timings.total, start: .timings.start, ready: .timings.ready, create: .timings.create, floor: .floor.total, tomcat_startup: .floor.slowest_tomcat_startup, nginx_first_answer: .floor.nginx_first_answer}' \
      "$out/up-$i.json" | tee -a "$out/up.jsonl" >&2
    "$msmlab" down --name "$up_lab" >/dev/null

    t0=$(now)
    $compose "${cf[@]}" up -d --wait >/dev/null 2>&1
    page_answers
    t1=$(now)
    echo "{\"run\":\"compose\",\"wall\":$(echo "$t1 - $t0" | bc)}" | tee -a "$out/up.jsonl" >&2
    $compose "${cf[@]}" down -t 1 >/dev/null 2>&1
  done

  jq -s '
    def median: sort | if length % 2 == 1 then .[length/2|floor] else (.[length/2 - 1] + .[length/2]) / 2 end;
    (map(select(.run == "msmlab"))) as $m | (map(select(.run == "compose"))) as $c |
    (map(select(.run == "container"))) as $k |
    { runs: ($m | length),
      msmlab_wall: ($m | map(.wall) | median), msmlab_total: ($m | map(.total) | median),
      msmlab_start: ($m | map(.start) | median), msmlab_ready: ($m | map(.ready) | median),
      compose_wall: ($c | map(.wall) | median),
      one_tomcat_container_start_to_200: ($k | map(.wall) | median),
      floor: ($m | map(.floor) | median), tomcat_startup: ($m | map(.tomcat_startup) | median),
      nginx_first_answer: ($m | map(.nginx_first_answer) | median) }
    | . + { msmlab_over_compose: (.msmlab_wall / .compose_wall), msmlab_over_floor: (.msmlab_wall / .floor),
            msmlab_over_container: (.msmlab_wall / .one_tomcat_container_start_to_200) }' \
    "$out/up.jsonl" | tee "$out/up-summary.json"
fi
{ echo "finished: $(date -u +%FT%TZ)"; echo "uptime=\"$(uptime)\""; } | tee -a "$out/machine.txt" >&2
say "results in $out"
