#!/bin/bash
# Entrypoint of localhost/fomo-rabbitmq (deploy/podman/base-images.sh): RabbitMQ from Debian's package with the set-up
# the RabbitMQ topology operator would make, loaded at boot from definitions (one file, no rabbitmqctl round trips):
# FOMO_RABBITMQ_DEFINITIONS holds RabbitMQ definitions JSON (vhosts, users with password hashes, permissions, topic
# permissions); k8s/rehearsal/translate.mjs writes it from the Vhost, User, Permission and TopicPermission resources.
# The node is rabbit@localhost (the pod's name does not matter). A restart keeps nothing (no volume): the
# definitions load again on every start, and the services declare their exchanges and queues again.
# /tmp/fomo-rabbitmq-ready appears once the broker runs with the definitions.
set -euo pipefail
export RABBITMQ_NODENAME="${RABBITMQ_NODENAME:-rabbit@localhost}"
export HOME=/var/lib/rabbitmq
rm -f /tmp/fomo-rabbitmq-ready
if [ -n "${FOMO_RABBITMQ_DEFINITIONS:-}" ]; then
  printf '%s' "$FOMO_RABBITMQ_DEFINITIONS" >/etc/rabbitmq/definitions.json
  chown rabbitmq:rabbitmq /etc/rabbitmq/definitions.json
  chmod 600 /etc/rabbitmq/definitions.json
  printf '%s\n' "load_definitions = /etc/rabbitmq/definitions.json" >/etc/rabbitmq/rabbitmq.conf
fi
rabbitmq-server &
server=$!
trap 'rabbitmqctl stop >/dev/null 2>&1 </dev/null || kill "$server"; wait "$server"; exit 0' TERM INT
rabbitmqctl await_startup --timeout 300 >/dev/null </dev/null
echo "fomo-rabbitmq: running with $(grep -o '"password_hash"' /etc/rabbitmq/definitions.json 2>/dev/null | wc -l) users from the definitions; ready"
touch /tmp/fomo-rabbitmq-ready
wait "$server"
