# Verdict: `make demo` runs the main job on a bundled example; `make test` builds debug and
# release and runs every test. Both install the system packages they need first.

SWIFT ?= swift
SYSTEM_PACKAGES := pkg-config liblua5.4-dev libsqlite3-dev zlib1g-dev curl
# The dashboard's tests run it in headless Chromium, through Selenium and axe-core from PyPI.
BROWSER_PACKAGES := chromium chromium-driver python3 python3-venv
BENCH_PACKAGES := lua5.4 sqlite3 python3 python3-pip python3-venv time wrk
PREFIX ?= /usr/local
# How long `make sanitize` fuzzes the sandbox (CI's share); `make fuzz` takes as long as it is told.
FUZZ_SECONDS ?= 120
DEMO_DIR ?= $(shell mktemp -d -u /tmp/verdict-demo.XXXXXX)

.PHONY: setup build release install uninstall demo test sanitize fuzz bench clean

## setup: install the Debian packages Verdict builds against and its tests use, if any is missing (idempotent)
setup:
	@./.ci/install-packages $(SYSTEM_PACKAGES) $(BROWSER_PACKAGES)

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

## install: the release binary in $(PREFIX)/bin, its plugins, templates and examples in $(PREFIX)/share/verdict
install: release
	@./.ci/install-verdict "$$($(SWIFT) build -c release --show-bin-path)/verdict" "$(DESTDIR)$(PREFIX)"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/verdict"
	rm -rf "$(DESTDIR)$(PREFIX)/share/verdict"

## demo: the README's tutorial, then six weeks of Brightspark Electric, in a throw-away folder
demo: build
	@VERDICT=$$($(SWIFT) build --show-bin-path)/verdict DEMO_DIR=$(DEMO_DIR) ./experiments/examples/demo.sh
	@VERDICT=$$($(SWIFT) build --show-bin-path)/verdict DEMO_DIR=$(DEMO_DIR) ./experiments/examples/six-weeks.sh

## test: build debug and release (some concurrency errors show only in release), run every test
test: setup
	$(SWIFT) build
	$(SWIFT) build -c release
	$(SWIFT) test

## sanitize: the sandbox's tests under AddressSanitizer, then the hostile corpus and a bounded libFuzzer
## run over the C shim under ASan and UBSan (Tests/Fuzz); .ci/run runs it after `make test`
sanitize: setup
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan --filter VerdictScriptTests
	@./.ci/fuzz-sandbox corpus
	@./.ci/fuzz-sandbox fuzz $(FUZZ_SECONDS)

## fuzz: only the fuzzer, for FUZZ_SECONDS (make fuzz FUZZ_SECONDS=3600)
fuzz: setup
	@./.ci/fuzz-sandbox fuzz $(FUZZ_SECONDS)

## bench: the benchmarks under bench/, each printing a ratio against a reference from the same run
bench: release
	@./.ci/install-packages $(BENCH_PACKAGES)
	@VERDICT=$$($(SWIFT) build -c release --show-bin-path)/verdict ./bench/run

clean:
	$(SWIFT) package clean
