#!/bin/sh
# The services' entrypoint in the images deploy/podman/build-images.sh makes (installed as /opt/fomo/run-java.sh in the
# local base image, copied as /deployments/run-java.sh into every service image, so any JRE image with /bin/sh works
# as the base). It honours the variables of the UBI images' run-java.sh that the k8s ConfigMaps set: JAVA_OPTS
# (default: the heap at 75% of the container's memory limit and JBoss LogManager) and JAVA_OPTS_APPEND.
# JAVA_MAX_RAM_RATIO is not read: the ConfigMaps' JAVA_OPTS_APPEND carries -XX:MaxRAMPercentage itself.
# The JVM writes only under /tmp (hsperfdata; Quarkus' fast-jar writes nothing): a read-only root file system with an
# emptyDir on /tmp is enough.
set -eu
: "${JAVA_OPTS:=-XX:MaxRAMPercentage=75 -Djava.util.logging.manager=org.jboss.logmanager.LogManager}"
# shellcheck disable=SC2086 # word splitting of the option strings is intended
exec java $JAVA_OPTS ${JAVA_OPTS_APPEND:-} -jar "${JAVA_APP_JAR:-/deployments/quarkus-run.jar}" "$@"
