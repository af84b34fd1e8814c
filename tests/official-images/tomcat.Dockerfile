# A stand-in for Docker Hub's official `tomcat:9.0-jre17`, for the tests of `--images official`
# where no registry answers: the same layout (CATALINA_HOME=/usr/local/tomcat, `catalina.sh run`,
# an empty webapps/ with the defaults in webapps.dist/, running as root, port 8080), built on the
# local base image. The first RUN is msmlab's own Tomcat image's, so the engine reuses that layer.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
ENV CATALINA_HOME=/usr/local/tomcat \
    PATH=/usr/local/tomcat/bin:$PATH
ADD tomcat.tar.gz /usr/local/
RUN mv /usr/local/apache-tomcat-* /usr/local/tomcat \
 && mv /usr/local/tomcat/webapps /usr/local/tomcat/webapps.dist \
 && mkdir /usr/local/tomcat/webapps
WORKDIR /usr/local/tomcat
EXPOSE 8080
CMD ["catalina.sh", "run"]
