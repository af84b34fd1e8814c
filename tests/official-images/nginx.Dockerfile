# A stand-in for Docker Hub's official `nginx`: its command, stop signal and config path
# (/etc/nginx/nginx.conf), master running as root. The first RUN is msmlab's own nginx image's.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/*
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
