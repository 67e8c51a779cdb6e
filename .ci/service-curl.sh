#!/usr/bin/env bash
# The README's service example from a fresh clone: a key, `budgetx serve`, one curl upload, the result
# fetched when done and validated against `budgetx schema --json`.
set -euo pipefail
data="$(mktemp -d)"
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
KEY="$(budgetx keys create ci --data-dir "$data")"
budgetx serve --port "$port" --data-dir "$data" > "$data/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.3; done
status_url="$(curl -sf -H "Authorization: Bearer $KEY" -F file=@samples/000_5dac6d90f1d45d5f.pdf \
    "http://127.0.0.1:$port/v1/documents" | python -c 'import json, sys; print(json.load(sys.stdin)["status_url"])')"
for _ in $(seq 300); do
    status="$(curl -sf -H "Authorization: Bearer $KEY" "$status_url" | python -c 'import json, sys; print(json.load(sys.stdin)["status"])')"
    [ "$status" = done ] || [ "$status" = failed ] && break
    sleep 0.3
done
curl -sf -H "Authorization: Bearer $KEY" "$status_url/result" -o "$data/result.json"
budgetx schema --json > "$data/schema.json"
python -c 'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
    "$data/result.json" "$data/schema.json"
echo "service: curl upload → $status, result valid against budgetx schema --json"
