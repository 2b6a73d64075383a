#!/usr/bin/env bash
# Runs every test: unit tests beside the code (src/**/*.test.ts) and integration tests (test/**/*.test.ts).
# Node 20's test runner has no glob support, so the shell expands the patterns.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
if [ $# -gt 0 ]; then files=("$@"); fi
echo "running ${#files[@]} test files"
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
