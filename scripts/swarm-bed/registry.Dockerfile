# The registry of scripts/swarm-bed.sh: Debian's docker-registry (no registry image can be pulled
# here), with a config of our own: the packaged one requires htpasswd auth, ours takes anonymous
# pushes and allows manifest deletes (msmlab's `down` deletes what it pushed).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker-registry \
 && rm -rf /var/lib/apt/lists/*
COPY registry.yml /etc/docker/registry/config.yml
# The package's own user, which owns /var/lib/docker-registry (the storage).
USER docker-registry
EXPOSE 5000
CMD ["docker-registry", "serve", "/etc/docker/registry/config.yml"]
