# Belfry. `make run` starts the hub with the built-in defaults; `make test` is
# the whole check that CI runs (.ci/run). Targets that CI needs are a sequence
# of small steps so more can be added to `test`.

GO      ?= go
BIN     ?= belfry
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: run test deps assets chromium lint gotest faults build bench bench-live release smoke-qemu

## run: start the hub on 127.0.0.1:8080 with a database in ./data
run: assets
	$(GO) run . serve

## test: everything CI checks
test: deps assets chromium lint gotest faults smoke-qemu

## deps: download the Go modules (the proxy sometimes refuses a version once: retry)
deps:
	$(GO) mod download || (sleep 2 && $(GO) mod download)

## assets: fetch htmx and its WebSocket extension from npm (package-lock.json) into ui/static/vendor
assets:
	bash scripts/ui-assets.sh

## chromium: Debian's Chromium for the browser tests (installed with apt when missing)
chromium:
	bash scripts/ensure-chromium.sh

## lint: gofmt, go mod tidy, go vet, staticcheck, deadcode and dupcheck (scripts/lint.sh)
lint:
	GO=$(GO) bash scripts/lint.sh

## gotest: go test -race on every package but the fault tests (those run in `faults`)
gotest:
	$(GO) test -race $$($(GO) list ./... | grep -v -e '/tools/faultfs' -e '/tools/faults$$')

## faults: power loss (faultfs), a full disk and WAL growth against the real binary, as root;
## prints their figures, and a banner when /dev/fuse is missing (scripts/faults.sh)
faults: assets
	GO=$(GO) bash scripts/faults.sh

## build: a static, stripped binary ./belfry (cross-compile with GOOS/GOARCH/GOARM)
build: assets
	CGO_ENABLED=0 $(GO) build -tags nomsgpack -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

## bench: every benchmark, without the tests
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-live: the live table of issue 12 — build ./belfry, then run every load-generator scenario
## once against it over loopback (docs/benchmarks.md); more with LOADGEN_FLAGS="-runs 3 -scenario fanout"
LOADGEN_FLAGS ?=
bench-live: build
	$(GO) run ./tools/loadgen -bin $(abspath $(BIN)) $(LOADGEN_FLAGS)

## release: static, stripped, version-stamped binaries for every platform in dist/, with SHA256SUMS
release: assets
	VERSION=$(VERSION) GO=$(GO) bash scripts/release.sh

## smoke-qemu: build linux/arm64 and linux/arm (GOARM=6, every Pi) and run them under qemu-user
## (Debian's qemu-user-static, installed with apt-get when missing)
SMOKE_TARGETS ?= linux/arm64 linux/arm/6
smoke-qemu: assets
	VERSION=$(VERSION) GO=$(GO) DIST=dist/smoke TARGETS="$(SMOKE_TARGETS)" bash scripts/release.sh
	bash scripts/qemu-smoke.sh dist/smoke/belfry-*
