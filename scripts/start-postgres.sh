#!/usr/bin/env bash
# Start a local PostgreSQL cluster for the tests (PostgreSQL refuses to run as root, so the
# cluster is run by the postgres user through pg_ctlcluster) and create the elearn role and database.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep "^$version main" | grep -q online; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1 -p 5432" && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'elearn') THEN
    CREATE ROLE elearn LOGIN SUPERUSER PASSWORD 'elearn';
  END IF;
END $$;
SQL
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'elearn_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O elearn elearn_test"
echo "PostgreSQL $version is ready on 127.0.0.1:5432 (database elearn_test)"
