# platformc: the two commands are "make run" and "make test".
GO ?= go
GOTESTSUM = $(GO) tool -modfile=tools/go.mod gotestsum

.PHONY: run test lint build

## run: compile the sample platform (tenants/, clusters/) into out/
run:
	$(GO) run ./cmd/platformc build

## test: vet, format check and the whole test suite, with a summary; then the
## conformance of every generated object to the pinned upstream schemas (a
## module of its own under test/conformance, to keep the Kubernetes server
## libraries out of go.mod)
test: lint
	$(GOTESTSUM) --format pkgname-and-test-fails --format-hide-empty-pkg -- -count=1 ./...
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 10s ./compiler/load
	cd test/conformance && $(GO) tool -modfile=../../tools/go.mod gotestsum --format pkgname-and-test-fails -- -count=1 ./...

lint:
	$(GO) vet ./...
	@unformatted="$$(gofmt -l cmd compiler schema tools test internal)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

## build: the platformc binary
build:
	$(GO) build -o bin/platformc ./cmd/platformc
