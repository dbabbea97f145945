#!/bin/bash
# Entrypoint of localhost/fomo-rabbitmq (deploy/podman/base-images.sh): RabbitMQ from Debian's package, then the
# set-up the RabbitMQ topology operator would make: FOMO_RABBITMQ_SETUP holds one rabbitmqctl command per line,
# shell-quoted (add_vhost, add_user with the password of the Secret, set_permissions, set_topic_permissions);
# k8s/rehearsal/rehearse.sh writes it from the Vhost, User, Permission and TopicPermission resources.
# The node is rabbit@localhost (the pod's name does not matter). A restart keeps nothing (no volume): the set-up
# is applied again on every start, and the services declare their exchanges and queues again.
set -euo pipefail
export RABBITMQ_NODENAME="${RABBITMQ_NODENAME:-rabbit@localhost}"
export HOME=/var/lib/rabbitmq
rabbitmq-server &
server=$!
trap 'rabbitmqctl stop >/dev/null 2>&1 || kill "$server"; wait "$server"; exit 0' TERM INT
rabbitmqctl await_startup --timeout 120 >/dev/null
rabbitmqctl delete_user guest >/dev/null 2>&1 || true
n=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  # </dev/null: rabbitmqctl reads its standard input, which would swallow the rest of the set-up
  eval "rabbitmqctl --quiet $line" >/dev/null </dev/null
  n=$((n + 1))
done <<<"${FOMO_RABBITMQ_SETUP:-}"
echo "fomo-rabbitmq: set-up applied ($n commands: $(rabbitmqctl --quiet list_users </dev/null | grep -c .) users); ready"
touch /tmp/fomo-rabbitmq-ready
wait "$server"
