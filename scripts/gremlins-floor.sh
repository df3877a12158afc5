#!/usr/bin/env bash
# gremlins-floor.sh PKG EFFICACY COVERAGE: runs gremlins on PKG (flags from
# $GREMLINS_FLAGS) and fails unless its test efficacy and mutant coverage
# are at least the floors (percent). gremlins v0.6.0 ignores its own
# --threshold-efficacy and --threshold-mcover (it exits 0 below them), so
# the floors are checked here, from its report.
set -euo pipefail
pkg=$1 eff_floor=$2 cov_floor=$3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# (eval: GREMLINS_FLAGS holds quoted words, as the Makefile writes them)
eval "\"\${GREMLINS:-gremlins}\" unleash $GREMLINS_FLAGS \"\$pkg\"" 2>&1 | tee "$log"
eff=$(sed -n 's/.*Test efficacy: \([0-9.]*\)%.*/\1/p' "$log" | tail -1)
cov=$(sed -n 's/.*Mutator coverage: \([0-9.]*\)%.*/\1/p' "$log" | tail -1)
if [ -z "$eff" ] || [ -z "$cov" ]; then
  echo "gremlins-floor: $pkg: no efficacy or coverage in gremlins' report" >&2
  exit 1
fi
if awk -v e="$eff" -v c="$cov" -v fe="$eff_floor" -v fc="$cov_floor" 'BEGIN { exit !(e + 0 >= fe + 0 && c + 0 >= fc + 0) }'; then
  echo "gremlins-floor: $pkg: efficacy $eff % (floor $eff_floor), mutant coverage $cov % (floor $cov_floor): ok"
else
  echo "gremlins-floor: $pkg: efficacy $eff % (floor $eff_floor), mutant coverage $cov % (floor $cov_floor): below the floor" >&2
  exit 1
fi
