# Belfry. `make run` starts the hub with the built-in defaults; `make test` is
# the whole check that CI runs (.ci/run). Targets that CI needs are a sequence
# of small steps so more can be added to `test`.

GO      ?= go
BIN     ?= belfry
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run test deps vet gotest build bench

## run: start the hub on 127.0.0.1:8080 with a database in ./data
run:
	$(GO) run . serve

## test: everything CI checks
test: deps vet gotest

## deps: download the Go modules (the proxy sometimes refuses a version once: retry)
deps:
	$(GO) mod download || (sleep 2 && $(GO) mod download)

vet:
	$(GO) vet ./...

gotest:
	$(GO) test -race ./...

## build: a static, stripped binary ./belfry (cross-compile with GOOS/GOARCH/GOARM)
build:
	CGO_ENABLED=0 $(GO) build -tags nomsgpack -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

## bench: every benchmark, without the tests
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
