#!/usr/bin/env bash
# Judge0 CE 1.13.1 endpoints. RINGFENCE_URL and RINGFENCE_KEY (sent as X-Auth-Token) may be set.
set -euo pipefail
url=${RINGFENCE_URL:-http://127.0.0.1:2358}
auth=()
[ -n "${RINGFENCE_KEY:-}" ] && auth=(-H "X-Auth-Token: $RINGFENCE_KEY")

curl -s "$url/about" "${auth[@]}"; echo
curl -s "$url/config_info" "${auth[@]}" | head -c 300; echo
curl -s "$url/languages" "${auth[@]}" | head -c 300; echo
curl -s "$url/languages/71" "${auth[@]}"; echo
curl -s "$url/statuses" "${auth[@]}"; echo
curl -s "$url/workers" "${auth[@]}"; echo
curl -s "$url/system_info" "${auth[@]}"; echo
# Synchronous, base64 (Ruby-style wrapped output), chosen fields.
curl -s "$url/submissions?base64_encoded=true&wait=true&fields=stdout,status,time,memory" "${auth[@]}" \
  -H 'Content-Type: application/json' \
  -d "{\"source_code\":\"$(printf 'print(input())' | base64 -w0)\",\"language_id\":71,\"stdin\":\"$(printf 'hi' | base64 -w0)\"}"; echo
# Asynchronous with a token, then poll.
token=$(curl -s "$url/submissions" "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"source_code":"print(1)","language_id":71,"expected_output":"1"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
sleep 1
curl -s "$url/submissions/$token?fields=*" "${auth[@]}"; echo
# Batch create and get.
tokens=$(curl -s "$url/submissions/batch" "${auth[@]}" -H 'Content-Type: application/json' \
  -d '{"submissions":[{"source_code":"print(1)","language_id":71},{"source_code":"print(2)","language_id":71}]}' \
  | python3 -c 'import json,sys;print(",".join(x["token"] for x in json.load(sys.stdin)))')
sleep 1
curl -s "$url/submissions/batch?tokens=$tokens&fields=token,stdout,status" "${auth[@]}"; echo
curl -s "$url/submissions?page=1&per_page=2&fields=token,status" "${auth[@]}"; echo
curl -s -X DELETE "$url/submissions/$token" "${auth[@]}"; echo
