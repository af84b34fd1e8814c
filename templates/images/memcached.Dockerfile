# memcached from Debian's package, run unprivileged, TCP only.
FROM {{ base_image }}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends memcached \
 && rm -rf /var/lib/apt/lists/*
USER memcache
EXPOSE 11211
CMD ["memcached", "-p", "11211", "-U", "0", "-m", "64"]
