#!/usr/bin/env bash
# The service tests' system parts, from Debian: PostgreSQL (started here, a database and user made for
# the tests) and headless Chromium with its driver. Prints the PostgreSQL URL for BUDGETX_TEST_PG.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_ctlcluster >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql chromium chromium-driver >&2
fi
ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$ver main" || pg_createcluster "$ver" main >&2
pg_ctlcluster "$ver" main start >&2 || true  # already running is fine
port="$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main" {print $3}')"
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_roles WHERE rolname = 'budgetx'\"" | grep -q 1 ||
    su postgres -c "psql -q -p $port -c \"CREATE ROLE budgetx LOGIN PASSWORD 'budgetx'\"" >&2
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_database WHERE datname = 'budgetx_test'\"" | grep -q 1 ||
    su postgres -c "createdb -p $port -O budgetx budgetx_test" >&2
echo "postgresql://budgetx:budgetx@127.0.0.1:$port/budgetx_test"
