# nginx from Debian's package, run unprivileged; `msmlab up` uploads the rendered nginx.conf.
FROM {{ base_image }}
# On every layer, so that what an interrupted build leaves is msmlab's to find and remove.
LABEL io.msmlab.image=nginx
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/*
USER www-data
STOPSIGNAL SIGQUIT
# -e stderr: the packaged log path is root's, and this nginx is not.
CMD ["nginx", "-e", "stderr", "-g", "daemon off;"]
