#!/usr/bin/env bash
# Parked events and dead letters of one service's inbox (issue #19, docs/DESIGN.md "Parked events and dead letters").
#
#   deploy/ops/dead-letters.sh list [--state OPEN|RESOLVED] [--consumer NAME]   the dead letters, newest first
#   deploy/ops/dead-letters.sh show ID                                         one, with its body and every re-drive
#   deploy/ops/dead-letters.sh redrive ID                                      run it through the inbox again (recorded)
#   deploy/ops/dead-letters.sh parked [--consumer NAME]                        the parked events, oldest first
#     --service NAME   treasury|rmo|billing|staking|emission (the local default port), or
#     --url BASE       the service's base URL (e.g. http://localhost:8081); --url wins over --service
#
# The operator's token comes from Keycloak (realm fomo, client fomo-cli, password grant), as the suite's tests get it:
#   FOMO_KEYCLOAK_URL (default http://localhost:8180), FOMO_OPERATOR_USER / FOMO_OPERATOR_PASSWORD (default op / op),
# or FOMO_OPERATOR_TOKEN to use a token as is. Needs curl; prints the JSON answers (through jq when installed).
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "dead-letters.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || usage
cmd="$1"; shift
id=""
case "$cmd" in
  show|redrive) [ $# -ge 1 ] || usage; id="$1"; shift
                [[ "$id" =~ ^[0-9]{1,18}$ ]] || die "ID must be a dead letter's number, was '$id'" ;;
  list|parked) ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac

service=""; url=""; state=""; consumer=""
while [ $# -gt 0 ]; do
  case "$1" in
    --service) service="${2:-}"; shift 2 ;;
    --url) url="${2:-}"; shift 2 ;;
    --state) state="${2:-}"; shift 2 ;;
    --consumer) consumer="${2:-}"; shift 2 ;;
    *) usage ;;
  esac
done

if [ -z "$url" ]; then
  # the local ports of deploy/local/lib.sh (FOMO_SERVICES)
  case "$service" in
    treasury|treasury-service) url="http://localhost:8081" ;;
    rmo|rmo-service) url="http://localhost:8082" ;;
    billing|inference-billing) url="http://localhost:8083" ;;
    staking|staking-service) url="http://localhost:8084" ;;
    emission|emission-service) url="http://localhost:8085" ;;
    *) die "give --service treasury|rmo|billing|staking|emission or --url BASE" ;;
  esac
fi
url="${url%/}"

token="${FOMO_OPERATOR_TOKEN:-}"
if [ -z "$token" ]; then
  kc="${FOMO_KEYCLOAK_URL:-http://localhost:8180}"
  answer="$(curl -fsS -X POST "${kc%/}/realms/fomo/protocol/openid-connect/token" \
      --data-urlencode grant_type=password --data-urlencode client_id=fomo-cli \
      --data-urlencode "username=${FOMO_OPERATOR_USER:-op}" --data-urlencode "password=${FOMO_OPERATOR_PASSWORD:-op}" \
      --data-urlencode scope=openid)" || die "no operator token from $kc"
  token="$(printf '%s' "$answer" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')"
  [ -n "$token" ] || die "Keycloak's answer has no access_token"
fi

query=""
urlencode() { local s="$1" out="" c i; for ((i = 0; i < ${#s}; i++)); do c="${s:i:1}"
    case "$c" in [A-Za-z0-9._~-]) out+="$c" ;; *) out+="$(printf '%%%02X' "'$c")" ;; esac; done; printf '%s' "$out"; }
[ -n "$state" ] && query="${query:+$query&}state=$(urlencode "$state")"
[ -n "$consumer" ] && query="${query:+$query&}consumer=$(urlencode "$consumer")"

case "$cmd" in
  list)    method=GET;  path="/api/v1/ops/dead-letters${query:+?$query}" ;;
  show)    method=GET;  path="/api/v1/ops/dead-letters/$id" ;;
  redrive) method=POST; path="/api/v1/ops/dead-letters/$id/redrive" ;;
  parked)  method=GET;  path="/api/v1/ops/parked${query:+?$query}" ;;
esac

out="$(mktemp)"; trap 'rm -f "$out"' EXIT
status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" \
    -H 'Accept: application/json' "$url$path")" || die "$url unreachable"
if command -v jq >/dev/null 2>&1; then jq . "$out" 2>/dev/null || cat "$out"; else cat "$out"; echo; fi
case "$status" in
  2??) exit 0 ;;
  *) die "$method $path answered $status" ;;
esac
