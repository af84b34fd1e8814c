# A swarm node of scripts/swarm-bed.sh: Debian's docker.io on the base image every lab uses, the
# same image as tests/common/dind.rs builds (msmlab-test-dind:bookworm). iptables for dockerd's
# bridge and overlay rules; ca-certificates so the inner engine can talk TLS if it must.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io iptables ca-certificates \
 && rm -rf /var/lib/apt/lists/*
