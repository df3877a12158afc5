# bin/bbb is the fast CPU build (OpenBLAS through cgo); `go run ./cmd/bbb`
# is the pure-Go build. See README.
GO ?= go

.PHONY: train test bbb deps peer-bench cuda kernels gpu-bundle goldens mutate mutate-quick mutate-gate clean

train: bbb
	bin/bbb train $(ARGS)

bbb: deps
	$(GO) build -tags openblas -o bin/bbb ./cmd/bbb

deps:
	@scripts/deps.sh

test:
	$(GO) test ./...

# Independent goldens (graph/golden_test.go): loss and gradients of small
# networks from PyTorch autograd. Needs torch and numpy (Debian: python3-torch).
PYTHON ?= /usr/bin/python3
goldens:
	$(PYTHON) scripts/torch_golden.py graph/testdata/torch_golden.json

# Mutation testing (docs/TESTING.md): every package, every mutator.
# MUTATE_PKGS=nodes make mutate runs one package.
GREMLINS_VERSION = v0.6.0
GREMLINS = $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)/gremlins
GREMLINS_FLAGS = --invert-assignments --invert-bitwise --invert-bwassign --invert-logical \
	--invert-loopctrl --remove-self-assignments --workers 2 --timeout-coefficient 10 \
	--exclude-files '_cuda\.go$$'
MUTATE_PKGS ?= nodes train metrics graph data job bench memory rundir interrupt sweep bandit modelfile cmd/bbb internal/atomicio internal/linalg viz
mutate:
	$(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)
	@for p in $(MUTATE_PKGS); do echo "== gremlins ./$$p"; \
		GOFLAGS="$(GOFLAGS) -count=1" $(GREMLINS) unleash $(GREMLINS_FLAGS) ./$$p || exit 1; done

# The CI gate (.ci/run): the small packages at their measured floors
# (docs/TESTING.md); about 14 minutes on 2 shared cores, 10 of them metrics.
mutate-quick:
	$(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)
	GOFLAGS="$(GOFLAGS) -count=1" GREMLINS='$(GREMLINS)' GREMLINS_FLAGS="$(GREMLINS_FLAGS)" scripts/gremlins-floor.sh ./internal/atomicio 100 100
	GOFLAGS="$(GOFLAGS) -count=1" GREMLINS='$(GREMLINS)' GREMLINS_FLAGS="$(GREMLINS_FLAGS)" scripts/gremlins-floor.sh ./internal/linalg 90 35
	GOFLAGS="$(GOFLAGS) -count=1" GREMLINS='$(GREMLINS)' GREMLINS_FLAGS="$(GREMLINS_FLAGS)" scripts/gremlins-floor.sh ./internal/npz 69 91
	GOFLAGS="$(GOFLAGS) -count=1" GREMLINS='$(GREMLINS)' GREMLINS_FLAGS="$(GREMLINS_FLAGS)" scripts/gremlins-floor.sh ./metrics 91 97
	GOFLAGS="$(GOFLAGS) -count=1" GREMLINS='$(GREMLINS)' GREMLINS_FLAGS="$(GREMLINS_FLAGS)" scripts/gremlins-floor.sh ./internal/settingflag 100 100
	GOFLAGS="$(GOFLAGS) -count=1" GREMLINS='$(GREMLINS)' GREMLINS_FLAGS="$(GREMLINS_FLAGS)" scripts/gremlins-floor.sh ./internal/flagrule 100 97

# The CI gate for nodes/ and train/ (.ci/run; docs/TESTING.md, "The gate"):
# gremlins, every mutator, on the lines of each package changed since the
# baseline commit named in .ci/gremlins-baseline (whose full runs are in
# docs/TESTING.md); a package with no change since then is skipped. It
# fails on any LIVED mutant, and when under MUTATE_MCOVER % of the mutants
# are covered, except the ones .ci/gremlins-baseline lists as known
# (equivalent, or out of gremlins' coverage: the reasons are in
# docs/TESTING.md). `make mutate-gate MUTATE_BASE=` runs the packages in
# full against the same list (to move the baseline: over an hour for
# nodes/ alone on 2 cores).
MUTATE_GATE_PKGS ?= nodes train
MUTATE_BASE ?= $(shell sed -n 's/^base //p' .ci/gremlins-baseline)
MUTATE_MCOVER ?= 95
mutate-gate:
	$(GO) install github.com/go-gremlins/gremlins/cmd/gremlins@$(GREMLINS_VERSION)
	@GREMLINS='$(GREMLINS)' MUTATE_BASE='$(MUTATE_BASE)' MUTATE_MCOVER='$(MUTATE_MCOVER)' \
		GOFLAGS="$(GOFLAGS) -count=1" bash -c "$$MUTATE_GATE_SH" mutate-gate $(MUTATE_GATE_PKGS)

# gremlins v0.6.0 mutates the lines `git diff --merge-base BASE` adds, with
# the file names relative to the package (it runs there: diff.relative) and
# one hunk per run of added lines (diff.context 0: with context, it would
# take a hunk's added lines as contiguous and miss some). An empty diff
# would mean "every line", hence the skip of unchanged packages. The path
# is absolute: gremlins looks for go.mod above it lexically.
define MUTATE_GATE_SH
set -euo pipefail
base=$$MUTATE_BASE
if [ -n "$$base" ]; then
	git rev-parse -q --verify "$$base^{commit}" >/dev/null ||
		{ echo "mutate-gate: baseline $$base is not in this clone (it needs the full history)"; exit 1; }
	git merge-base --is-ancestor "$$base" HEAD ||
		{ echo "mutate-gate: baseline $$base is not an ancestor of HEAD"; exit 1; }
fi
export GIT_CONFIG_COUNT=5 GIT_CONFIG_KEY_0=diff.relative GIT_CONFIG_VALUE_0=true \
	GIT_CONFIG_KEY_1=diff.context GIT_CONFIG_VALUE_1=0 GIT_CONFIG_KEY_2=diff.noprefix GIT_CONFIG_VALUE_2=false \
	GIT_CONFIG_KEY_3=diff.mnemonicPrefix GIT_CONFIG_VALUE_3=false GIT_CONFIG_KEY_4=color.ui GIT_CONFIG_VALUE_4=false
fail=0
for p in "$$@"; do
	base=$$MUTATE_BASE
	# A package whose own full run is newer (a line "base-PKG COMMIT") starts there.
	own=$$(sed -n "s|^base-$$p ||p" .ci/gremlins-baseline)
	if [ -n "$$base" ] && [ -n "$$own" ]; then
		git rev-parse -q --verify "$$own^{commit}" >/dev/null && git merge-base --is-ancestor "$$own" HEAD ||
			{ echo "mutate-gate: baseline of ./$$p $$own is not an ancestor of HEAD in this clone"; exit 1; }
		if git merge-base --is-ancestor "$$base" "$$own"; then base=$$own; fi
	fi
	if [ -n "$$base" ] && git diff --quiet "$$base" -- "$$p"; then
		echo "== gremlins ./$$p: no change since the baseline $${base:0:12}: skipped"
		continue
	fi
	echo "== gremlins ./$$p $${base:+(lines changed since $${base:0:12})}"
	out=$$(mktemp)
	s=$$SECONDS
	if ! (cd "$$p" && "$$GREMLINS" unleash --invert-assignments --invert-bitwise --invert-bwassign \
		--invert-logical --invert-loopctrl --remove-self-assignments --workers 2 --timeout-coefficient 10 \
		--exclude-files '_cuda\.go$$' -S lct $${base:+--diff "$$base"} "$$PWD") >"$$out" 2>&1; then
		cat "$$out"; echo "mutate-gate: gremlins failed on ./$$p"; exit 1
	fi
	grep -v '^Gathering\|^Starting' "$$out" || true
	awk -v pkg="$$p" -v list=.ci/gremlins-baseline -v mcover="$$MUTATE_MCOVER" -v secs=$$((SECONDS - s)) '
		function src(f, n,  l, i) {
			i = 0; l = ""
			while ((getline l < f) > 0) if (++i == n) break
			close(f); sub(/^[ \t]+/, "", l); sub(/[ \t]+$$/, "", l); return l
		}
		BEGIN { while ((getline l < list) > 0) if (l ~ /^(LIVED|NOT COVERED)\t/) known[l] = 1 }
		{ gsub(/\033\[[0-9;]*m/, "") }
		/^ *(LIVED|NOT COVERED) [A-Z_]+ at / {
			st = $$1 == "LIVED" ? "LIVED" : "NOT COVERED"; t = $$1 == "LIVED" ? $$2 : $$3
			split($$NF, a, ":"); f = pkg "/" a[1]
			key = st "\t" f "\t" t "\t" a[3] "\t" src(f, a[2])
			if (key in known) { k[st]++; next }
			n[st]++; unknown = unknown "\n" key
		}
		/^Killed: / { gsub(/[^0-9,]/, ""); split($$0, c, ","); killed = c[1]; lived = c[2]; nc = c[3] }
		END {
			run = killed + lived; all = run + nc - k["NOT COVERED"]
			cov = all ? 100 * run / all : 100
			printf "== %s: %d killed, %d lived (%d known), %d not covered (%d known): efficacy %.2f %% without the known, mutant coverage %.2f %% (gate: no new survivor, >= %s %%), %d s\n",
				pkg, killed, lived, k["LIVED"], nc, k["NOT COVERED"], run - k["LIVED"] ? 100 * killed / (run - k["LIVED"]) : 100, cov, mcover, secs
			if (n["LIVED"] || cov < mcover) {
				printf "mutate-gate: ./%s fails: %d new survivor(s), coverage %.2f %%. Kill them with a test, or list them in %s with the reason in docs/TESTING.md (status, file, mutator, column, source line):%s\n", pkg, n["LIVED"], cov, list, unknown
				exit 1
			}
		}' "$$out" || fail=1
	rm -f "$$out"
done
exit $$fail
endef
export MUTATE_GATE_SH

# Side by side with the PyTorch peer: see scripts/peer-bench.sh.
peer-bench: bbb
	scripts/peer-bench.sh

# The CUDA build, from a CPU-only machine: see README, GPU section.
cuda:
	scripts/cuda/build.sh

# Regenerates internal/cudalib/stdlib_gen.go (PTX from Debian's nvcc 11.8).
kernels:
	scripts/cuda/gen-kernels.sh

# Everything scripts/gpu-check.sh needs on the GPU machine, in bin/gpu.
gpu-bundle:
	scripts/gpu-bundle.sh

clean:
	rm -rf bin out
