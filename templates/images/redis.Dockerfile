# Redis from Debian's package, run unprivileged, in memory only: a lab store keeps nothing.
FROM {{ base_image }}
# On every layer, so that what an interrupted build leaves is msmlab's to find and remove.
LABEL io.msmlab.image=redis
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/*
USER redis
WORKDIR /tmp
EXPOSE 6379
# Reachable from the lab network only (never published), so protected mode is off.
CMD ["redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
