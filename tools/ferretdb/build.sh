#!/usr/bin/env bash
# Builds the embedded FerretDB server (tools/ferretdb/bin/ferretdb) with the Go
# toolchain; modules come through the Go module proxy. Skips the build when the
# binary is newer than its sources (this script included).
#
# One line of FerretDB v1.24.2 is changed at build time (in a copy of the module; the
# module cache and go.mod untouched): the SQL expression its SQLite backend uses for an `{_id: …}` filter.
# Upstream writes `_ferretdb_sjson->'$._id'` in queries but builds the `_id` index on
# `_ferretdb_sjson->"_id"`; SQLite uses an expression index only for the same expression,
# so every find, update and delete by `_id` scanned its whole collection (measured:
# findOne 1.6 ms among 100 documents, 43 ms among 10,000; docs/measurements.md). With the
# query written as the index is, they are index look-ups, on existing data folders too.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x bin/ferretdb ] && [ bin/ferretdb -nt main.go ] && [ bin/ferretdb -nt go.sum ] && [ bin/ferretdb -nt build.sh ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "tools/ferretdb: Go is not installed. Install Go >= 1.24, or set MONGODB_URI to a MongoDB server." >&2
  exit 1
fi
module_dir=$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
if [ -z "$module_dir" ]; then
  go mod download github.com/FerretDB/FerretDB
  module_dir=$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
fi
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
# A copy of the module (the module cache is read-only, and go build refuses overlays there),
# patched, and a go.mod beside ours that points at it (-modfile): go.mod itself is untouched.
cp -r "$module_dir" "$work/ferretdb"
chmod -R u+w "$work/ferretdb"
patched="$work/ferretdb/internal/backends/sqlite/metadata/metadata.go"
sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \`->\"_id\"\`|" "$patched"
if ! grep -q 'IDColumn = DefaultColumn + `->"_id"`' "$patched"; then
  echo "tools/ferretdb: the _id expression of FerretDB's SQLite backend was not found in $module_dir; update build.sh" >&2
  exit 1
fi
cp go.mod "$work/go.mod"
cp go.sum "$work/go.sum"
echo "replace github.com/FerretDB/FerretDB => $work/ferretdb" >>"$work/go.mod"
go build -trimpath -modfile "$work/go.mod" -o bin/ferretdb .
