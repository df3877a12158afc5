#!/usr/bin/env bash
# The size of cmd/bbb in the CPU build (docs/ARCHITECTURE.md, "What is
# planned"): its non-test, non-_cuda.go files' lines, and their code lines
# (without blank lines, // comment lines and the import block's lines).
# scripts/cmd-lines.sh [REV]: at a commit instead of the working tree.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-}
files() {
  if [ -n "$rev" ]; then git ls-tree --name-only "$rev" cmd/bbb/; else ls cmd/bbb/*.go; fi |
    grep '\.go$' | grep -v '_test\.go$' | grep -v '_cuda\.go$'
}
show() { if [ -n "$rev" ]; then git show "$rev:$1"; else cat "$1"; fi; }
total=0 code=0
for f in $(files); do
  s=$(show "$f")
  total=$((total + $(printf '%s\n' "$s" | wc -l)))
  code=$((code + $(printf '%s\n' "$s" | awk '
    /^import \($/ { inimport = 1; next }
    inimport && /^\)$/ { inimport = 0; next }
    inimport || /^import / || /^[[:space:]]*$/ || /^[[:space:]]*\/\// { next }
    { n++ } END { print n + 0 }')))
done
echo "cmd/bbb: $total lines, $code code lines${rev:+ at $rev}"
