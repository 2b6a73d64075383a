#!/usr/bin/env bash
# Runs the test suite (or the given files) on PostgreSQL: starts a throwaway cluster on a free port
# under a temp dir, points TEST_DATABASE_URL at it, and stops it whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/dp-pg.XXXXXX)
trap 'bash scripts/pg-cluster.sh stop "$dir"' EXIT
url=$(bash scripts/pg-cluster.sh start "$dir")
echo "== PostgreSQL test cluster at $url ($dir)"
TEST_DATABASE_URL="$url" bash scripts/test.sh "$@"
