# Verdict: `make demo` runs the main job on a bundled example; `make test` builds debug and
# release and runs every test. Both install the system packages they need first.

SWIFT ?= swift
SYSTEM_PACKAGES := pkg-config liblua5.4-dev libsqlite3-dev zlib1g-dev
# The dashboard's tests run it in headless Chromium, through Selenium and axe-core from PyPI.
BROWSER_PACKAGES := chromium chromium-driver python3 python3-venv
BENCH_PACKAGES := lua5.4 sqlite3 python3 python3-pip python3-venv time wrk
PREFIX ?= /usr/local
DEMO_DIR ?= $(shell mktemp -d -u /tmp/verdict-demo.XXXXXX)

.PHONY: setup build release install uninstall demo test bench clean

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

## bench: the benchmarks under bench/, each printing a ratio against a reference from the same run
bench: release
	@./.ci/install-packages $(BENCH_PACKAGES)
	@VERDICT=$$($(SWIFT) build -c release --show-bin-path)/verdict ./bench/run

clean:
	$(SWIFT) package clean
