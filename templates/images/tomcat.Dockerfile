# Apache Tomcat {{ tomcat_version }} on Debian's OpenJDK {{ jre }}, built by msmlab without any registry
# but the base image. The msm jars, context.xml and the webapp are not baked in: `msmlab up`
# uploads them into each container through the Docker API.
FROM {{ base_image }}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {{ jre_package }} \
 && rm -rf /var/lib/apt/lists/*
# A local tar archive given to ADD is unpacked; its SHA-256 was checked against jars.lock.
ADD tomcat.tar.gz /opt/
RUN set -eu \
 && mv /opt/apache-tomcat-{{ tomcat_version }} /usr/local/tomcat \
 && rm -rf /usr/local/tomcat/webapps/* \
 # Scanning jars for TLDs and annotations is the biggest start-up cost, and the lab needs none.
 && echo 'tomcat.util.scan.StandardJarScanFilter.jarsToSkip=*.jar' >> /usr/local/tomcat/conf/catalina.properties \
 && useradd --system --uid 8080 --home-dir /usr/local/tomcat tomcat \
 && chown -R tomcat:tomcat /usr/local/tomcat
ENV CATALINA_HOME=/usr/local/tomcat \
    PATH=/usr/local/tomcat/bin:$PATH \
    JAVA_OPTS="{{ java_opts }}"
WORKDIR /usr/local/tomcat
USER tomcat
EXPOSE 8080
CMD ["catalina.sh", "run"]
