# bin/bbb is the fast CPU build (OpenBLAS through cgo); `go run ./cmd/bbb`
# is the pure-Go build. See README.
GO ?= go

.PHONY: train test bbb deps peer-bench clean

train: bbb
	bin/bbb train $(ARGS)

bbb: deps
	$(GO) build -tags openblas -o bin/bbb ./cmd/bbb

deps:
	@scripts/deps.sh

test:
	$(GO) test ./...

# Side by side with the PyTorch peer: see scripts/peer-bench.sh.
peer-bench: bbb
	scripts/peer-bench.sh

clean:
	rm -rf bin out
