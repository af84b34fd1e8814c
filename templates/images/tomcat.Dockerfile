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
{%- if cds %}
# Class-data sharing: one training start of Tomcat, here at build time, records the classes it
# loads into an archive that every later JVM maps instead of loading and verifying them again
# (Java 13 and later). An archive that does not match is ignored, never fatal.
RUN set -eu \
 && JAVA_OPTS="$JAVA_OPTS -XX:ArchiveClassesAtExit=/usr/local/tomcat/tomcat.jsa" CATALINA_PID=/tmp/tomcat.pid catalina.sh start \
 && for i in $(seq 1 1200); do grep -q "Server startup in" logs/catalina.out 2>/dev/null && break; sleep 0.1; done \
 && CATALINA_PID=/tmp/tomcat.pid catalina.sh stop 60 \
 && test -s /usr/local/tomcat/tomcat.jsa \
 && rm -rf logs/* work/* temp/* /tmp/tomcat.pid
ENV JAVA_OPTS="{{ java_opts }} -XX:SharedArchiveFile=/usr/local/tomcat/tomcat.jsa"
{%- endif %}
EXPOSE 8080
CMD ["catalina.sh", "run"]
