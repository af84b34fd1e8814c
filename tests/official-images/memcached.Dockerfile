# A stand-in for Docker Hub's official `memcached`: runs as user memcache, port 11211, and the
# plain `memcached` command. The first RUN is msmlab's own memcached image's.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends memcached \
 && rm -rf /var/lib/apt/lists/*
USER memcache
EXPOSE 11211
CMD ["memcached"]
