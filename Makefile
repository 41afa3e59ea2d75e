# platformc: the two commands are "make run" and "make test".
GO ?= go
GOTESTSUM = $(GO) tool -modfile=tools/go.mod gotestsum

.PHONY: run test lint fmt fuzz build install e2e

## run: compile the sample platform (tenants/, clusters/) into out/
run:
	$(GO) run ./cmd/platformc build

## test: the format check, then the whole test suite with a summary (the
## fuzz tests run their seed corpora) and every vet check over every package
## and its tests; then the conformance of every generated object to the
## pinned upstream schemas (a module of its own under test/conformance, to
## keep the Kubernetes server libraries out of go.mod)
# TEST_TIMEOUT bounds each test binary: generous, so that a busy machine
# does not fail where a quiet one passes (the CLI's takes 1-2 minutes here).
# go test -vet=all runs what go vet ./... runs, package by package as each
# is built, so that a package's tests start without waiting for the vet of
# the rest (with a cold build cache, go vet first and the tests after took
# a minute longer); the conformance module's vet shares the facts of the
# packages both modules import.
TEST_TIMEOUT ?= 30m
test: fmt
	$(GOTESTSUM) --format pkgname-and-test-fails --format-hide-empty-pkg -- -count=1 -vet=all -timeout $(TEST_TIMEOUT) ./...
	cd test/conformance && $(GO) tool -modfile=../../tools/go.mod gotestsum --format pkgname-and-test-fails -- -count=1 -vet=all -timeout $(TEST_TIMEOUT) ./...

## fuzz: 10 s of fuzzing the tenant loader beyond its seed corpus (run by
## .ci/run after make test). Fuzzing rebuilds the loader and everything it
## imports with coverage instrumentation, about 2 minutes with a cold build
## cache, which is why make test runs the corpus alone.
# The fuzzer minimises each new interesting input for up to 60 s by default,
# which took the whole -fuzztime: 100 tries each leaves it ~2,000 inputs/s.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzTenant -fuzztime 10s -fuzzminimizetime 100x -timeout $(TEST_TIMEOUT) ./compiler/load

## lint: go vet and the format check alone (make test runs both)
lint: fmt
	$(GO) vet ./...
	cd test/conformance && $(GO) vet ./...

fmt:
	@unformatted="$$(gofmt -l cmd compiler schema tools test internal)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

## e2e: the end-to-end test (test/e2e/README.md): real Kubernetes API
## servers, Argo CD and External Secrets, built from pinned modules (once;
## kept in test/e2e/.bin), apply what platformc publishes through a whole
## blue/green upgrade. PLATFORM=path/to/platform runs it on another
## platform repository.
E2E_TIMEOUT ?= 75m
e2e:
	cd test/e2e && PLATFORM="$(abspath $(PLATFORM))" $(GO) tool -modfile=../../tools/go.mod gotestsum --format standard-verbose -- -count=1 -timeout $(E2E_TIMEOUT) ./...

## build: the platformc binary, in bin/
build:
	$(GO) build -buildvcs=true -o bin/platformc ./cmd/platformc

## install: install platformc into $(go env GOPATH)/bin (or GOBIN), stamped
## with the commit it is built from ("platformc version" prints it)
install:
	$(GO) install -buildvcs=true ./cmd/platformc

## bench: build synthetic platforms of 100, 1,000 and 5,000 tenants on 3
## clusters with the platformc binary (the AWS stacks left out), then of
## 1,000 tenants on 3 and 11 clusters and 5,000 on 3 with the AWS stacks
## (the default path), and print a table of each: wall and CPU time, peak
## RSS, files and objects written, for a cold build, rebuilds and diffs
## (docs/benchmarks.md). BENCH_SIZES, BENCH_RUNS, BENCH_AWS_SIZES and
## BENCH_AWS_RUNS change what is measured; the stage benchmarks are
## "go test ./compiler -run '^$$' -bench ."
BENCH_SIZES ?= 100x3,1000x3,5000x3
BENCH_RUNS ?= 3
BENCH_AWS_SIZES ?= 1000x3,1000x11,5000x3
BENCH_AWS_RUNS ?= 3
.PHONY: bench
bench: build
	$(GO) run ./internal/synth/bench -platformc bin/platformc -sizes $(BENCH_SIZES) -runs $(BENCH_RUNS)
	$(GO) run ./internal/synth/bench -platformc bin/platformc -aws -sizes $(BENCH_AWS_SIZES) -runs $(BENCH_AWS_RUNS)
