# Belfry. `make run` builds ./belfry and starts the hub with the built-in
# defaults; `make check` is the quick everyday check; `make test` is the whole
# check that CI runs (.ci/run), one step after another (scripts/steps.sh
# prints a banner before each step and its duration after it). A line
# "## target: text" describes a target; the banners show that text.

GO      ?= go
BIN     ?= belfry
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

# The steps of `make test`, in order.
TEST_STEPS ?= deps assets chromium postgres tools lint gotest faults fuzz smoke-qemu dist-check

.PHONY: run test check deps assets chromium postgres tools lint gotest faults fuzz build bench bench-live lighthouse release image deb dist-check smoke-qemu

## run: build ./belfry, then run it (belfry serve) on 127.0.0.1:8080 with a database in ./data
# The binary replaces make's shell, so SIGTERM and Ctrl-C reach belfry itself
# (make forwards SIGTERM to it) and it shuts down gracefully.
run: build
	exec ./$(BIN) serve

## test: everything CI checks, step by step (about 11 min on CI from a fresh clone; 22 with empty caches on a busy 2-core machine; see README)
test:
	@MAKE="$(MAKE)" bash scripts/steps.sh "make test" $(TEST_STEPS)

## check: the quick everyday check: gofmt, go vet and the tests without the race detector
check: assets
	@MAKE="$(MAKE)" bash scripts/steps.sh "make check" check-gofmt check-vet check-go

## check-gofmt: formatting of every Go file
check-gofmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change (run gofmt -w):"; echo "$$out"; exit 1; fi

## check-vet: go vet
check-vet:
	$(GO) vet ./...

## check-go: go test, without -race
check-go:
	$(GO) test ./...

## deps: download the Go modules (the proxy sometimes refuses a version once: retry)
deps:
	$(GO) mod download || (sleep 2 && $(GO) mod download)

## assets: fetch htmx and its WebSocket extension from npm (package-lock.json) into ui/static/vendor
assets:
	bash scripts/ui-assets.sh

## chromium: Debian's Chromium for the browser tests (installed with apt when missing)
chromium:
	bash scripts/ensure-chromium.sh

## postgres: Debian's PostgreSQL server binaries for the store tests on PostgreSQL (installed with apt when missing)
postgres:
	bash scripts/ensure-postgres.sh

## tools: Debian's checkers of the artefacts, when apt can install them (optional): promtool, lintian, podman with runc
tools:
	bash scripts/ensure-tools.sh prometheus:promtool lintian podman runc

## lint: gofmt, go mod tidy, go vet, staticcheck, deadcode and dupcheck (scripts/lint.sh)
lint:
	GO=$(GO) bash scripts/lint.sh

## gotest: go test -race on every package but the fault tests (those run in `faults`), then the store tests again on PostgreSQL (db/pgtest starts one)
# The slowest packages (the browser tests, the store, the whole server) are
# listed first: go test builds and runs packages in the order given, so
# they start as soon as they are built and the rest run beside them
# instead of after them.
GOTEST_FIRST = github.com/belfry/belfry/ui github.com/belfry/belfry/db github.com/belfry/belfry/app/server
gotest:
	$(GO) test -race -vet=off $(GOTEST_FIRST) $$($(GO) list ./... | grep -v -e '/tools/faultfs' -e '/tools/faults$$' | grep -vxF $(GOTEST_FIRST:%=-e %))
	BELFRY_TEST_DATABASE=postgres $(GO) test -race -vet=off ./db/...

## faults: power loss (faultfs), a full disk and WAL growth against the real binary, as root;
## prints their figures, and a banner when /dev/fuse is missing (scripts/faults.sh)
faults: assets
	GO=$(GO) bash scripts/faults.sh

## fuzz: every Go fuzz target for up to 8 s each, two at a time after the first (which fills the build cache) (scripts/fuzz.sh); a failing
## input lands in the package's testdata/fuzz/ — longer: make fuzz FUZZTIME=60s, one: make fuzz FUZZ=FuzzEvent
FUZZTIME ?=
FUZZ     ?=
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZ=$(FUZZ) bash scripts/fuzz.sh

## build: a static, stripped binary ./belfry (cross-compile with GOOS/GOARCH/GOARM); the first build compiles every dependency and takes a few minutes
build: assets
	@[ -x $(BIN) ] || echo "build: compiling $(BIN) and every dependency; the first build takes a few minutes, later ones seconds" >&2
	CGO_ENABLED=0 $(GO) build -tags nomsgpack -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

## bench: every benchmark, without the tests
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-live: the live table of issue 12 — build ./belfry, then run every load-generator scenario
## once against it over loopback (docs/benchmarks.md); more with LOADGEN_FLAGS="-runs 3 -scenario fanout"
LOADGEN_FLAGS ?=
bench-live: build
	$(GO) run ./tools/loadgen -bin $(abspath $(BIN)) $(LOADGEN_FLAGS)

## lighthouse: Lighthouse (npm) on the inbox of a real Belfry with seeded data, signed in, desktop preset: prints
## accessibility and performance (docs/accessibility.md); not part of `make test`, its timings depend on the machine
lighthouse: assets
	GO=$(GO) bash scripts/lighthouse.sh

## release: static, stripped, version-stamped binaries for every platform, the container image and the Debian packages in dist/, with SHA256SUMS
release: assets
	VERSION=$(VERSION) GO=$(GO) bash scripts/release.sh

## image: the multi-architecture container image (linux/amd64, arm64, arm/v7, arm/v6) as an OCI layout and docker-load archives in dist/, checked
IMAGE_TARGETS ?= linux/amd64 linux/arm64 linux/arm/7 linux/arm/6
image: assets
	VERSION=$(VERSION) GO=$(GO) TARGETS="$(IMAGE_TARGETS)" PACKAGES=image bash scripts/release.sh

## deb: the Debian packages (amd64, arm64, armhf) in dist/, checked
DEB_TARGETS ?= linux/amd64 linux/arm64 linux/arm/7
deb: assets
	VERSION=$(VERSION) GO=$(GO) TARGETS="$(DEB_TARGETS)" PACKAGES=deb bash scripts/release.sh

## dist-check: the release script for linux/amd64 and linux/arm64 only (all four architectures take longer: make release), into dist/check: image and packages built and checked
CHECK_TARGETS ?= linux/amd64 linux/arm64
dist-check: assets
	VERSION=$(VERSION) GO=$(GO) DIST=dist/check TARGETS="$(CHECK_TARGETS)" DEB_INSTALL_CHECK=if-cached bash scripts/release.sh

## smoke-qemu: build linux/arm64 and linux/arm (GOARM=6, every Pi) and run them under qemu-user (Debian's qemu-user-static, installed with apt-get when missing)
SMOKE_TARGETS ?= linux/arm64 linux/arm/6
smoke-qemu: assets
	VERSION=$(VERSION) GO=$(GO) DIST=dist/smoke TARGETS="$(SMOKE_TARGETS)" PACKAGES= bash scripts/release.sh
	bash scripts/qemu-smoke.sh dist/smoke/belfry-*
