# memcached from Debian's package, run unprivileged, TCP only.
FROM {{ base_image }}
# On every layer, so that what an interrupted build leaves is msmlab's to find and remove.
LABEL io.msmlab.image=memcached
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends memcached \
 && rm -rf /var/lib/apt/lists/*
USER memcache
EXPOSE 11211
CMD ["memcached", "-p", "11211", "-U", "0", "-m", "64"]
