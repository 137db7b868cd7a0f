#!/usr/bin/env bash
# Builds the embedded FerretDB server (tools/ferretdb/bin/ferretdb) with the Go
# toolchain; modules come through the Go module proxy. Skips the build when the
# binary is newer than its sources.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x bin/ferretdb ] && [ bin/ferretdb -nt main.go ] && [ bin/ferretdb -nt go.sum ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "tools/ferretdb: Go is not installed. Install Go >= 1.24, or set MONGODB_URI to a MongoDB server." >&2
  exit 1
fi
go build -trimpath -o bin/ferretdb .
