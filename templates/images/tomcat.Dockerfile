# Apache Tomcat {{ tomcat_version }} on Debian's OpenJDK {{ jre }}, built by msmlab without any registry
# but the base image. The msm jars and context.xml are not baked in: `msmlab up`
# uploads them into each container through the Docker API.
FROM {{ base_image }}
# On every layer, so that what an interrupted build leaves is msmlab's to find and remove.
LABEL io.msmlab.image=tomcat
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {{ jre_package }} \
 && rm -rf /var/lib/apt/lists/*
# A local tar archive given to ADD is unpacked; its SHA-256 was checked against jars.lock.
ADD tomcat.tar.gz /opt/
RUN set -eu \
 && mv /opt/apache-tomcat-{{ tomcat_version }} /usr/local/tomcat \
 && rm -rf /usr/local/tomcat/webapps/* \
{%- if servlet == "jakarta" %}
 # Tomcat 10.1 and later no longer read the jvmRoute system property that sticky labs set
 # per Tomcat (-DjvmRoute=tomcatN): the Engine takes it from server.xml, empty when unset.
 && sed -i 's|<Engine name="Catalina" defaultHost="localhost">|<Engine name="Catalina" defaultHost="localhost" jvmRoute="${jvmRoute:-}">|' /usr/local/tomcat/conf/server.xml \
 && grep -q 'jvmRoute="${jvmRoute:-}"' /usr/local/tomcat/conf/server.xml \
{%- endif %}
 && useradd --system --uid 8080 --home-dir /usr/local/tomcat tomcat \
 && chown -R tomcat:tomcat /usr/local/tomcat
ENV CATALINA_HOME=/usr/local/tomcat \
    PATH=/usr/local/tomcat/bin:$PATH \
    JAVA_OPTS="{{ java_opts }}"
WORKDIR /usr/local/tomcat
USER tomcat
# msmlab's session probe (templates/probe/), a lab-only listener and filter that report the session's
# attributes for requests that ask: compiled with the javac that Debian's JRE carries as a
# module, into lib/, which Tomcat's common class loader reads as a directory. (-source/-target,
# not --release: the JRE package lacks ct.sym, which --release reads.)
COPY --chown=tomcat:tomcat probe/ /tmp/probe/
RUN java -m jdk.compiler/com.sun.tools.javac.Main -source 8 -target 8 -Xlint:-options -nowarn \
      -cp lib/servlet-api.jar -d lib /tmp/probe/*.java \
 && rm -rf /tmp/probe
# The test webapp, as `up` uploads it (same bytes, same mtime 0), so that one training start
# here, at build time, does once what every lab start would do again:
# - Jasper compiles the test page into work/; a later start finds the class as new as the page
#   (both mtime 0) and skips the compilation, about a second of each start on a small machine.
#   The image's tag covers the webapp's checksums, so a changed page is a new image.
{%- if cds %}
# - class-data sharing (Java 13 and later): the JVM records the classes it loaded into an
#   archive that every later JVM maps instead of loading and verifying them again. An archive
#   that does not match is ignored, never fatal.
{%- endif %}
COPY --chown=tomcat:tomcat webapp/ /usr/local/tomcat/webapps/ShareSession/
RUN set -eu \
 && JAVA_OPTS="$JAVA_OPTS{% if cds %} -XX:ArchiveClassesAtExit=/usr/local/tomcat/tomcat.jsa{% endif %}" CATALINA_PID=/tmp/tomcat.pid catalina.sh start \
 && for i in $(seq 1 1200); do grep -q "Server startup in" logs/catalina.out 2>/dev/null && break; sleep 0.1; done \
 && CATALINA_PID=/tmp/tomcat.pid catalina.sh stop 60 \
 && ls work/Catalina/localhost/ShareSession/org/apache/jsp/ShowSession_jsp.class \
{%- if cds %}
 && test -s /usr/local/tomcat/tomcat.jsa \
{%- endif %}
 && rm -rf logs/* temp/* /tmp/tomcat.pid
{%- if cds %}
ENV JAVA_OPTS="{{ java_opts }} -XX:SharedArchiveFile=/usr/local/tomcat/tomcat.jsa"
{%- endif %}
EXPOSE 8080
CMD ["catalina.sh", "run"]
