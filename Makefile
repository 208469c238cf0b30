# Kafka Delivery Lab. Two commands matter: `make serve` and `make test`; each sets up what is missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# wasm-opt from npm binaryen (the only one that reads what this rustc emits) and cargo's bin first.
CARGO_HOME ?= $(HOME)/.cargo
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_HOME)/bin:$(PATH)

# The size budget for the page's wasm and JS together, gzipped: 250 KB, the project's first budget,
# restored by issue 13 (the page went from 299.7 to 248.5 KB). A feature that does not fit cuts
# something first; the budget is not raised to land it.
SIZE_BUDGET_GZIP := 250000
# The explorer's web worker, fetched only when someone explores.
WORKER_BUDGET_GZIP := 150000

.PHONY: help setup setup-test serve build size test test-native test-browser test-e2e bench bench-frames bench-scrub bench-memory bench-explore bench-startup clean

help:
	@echo "make serve   set up what is missing, then serve the lab at http://127.0.0.1:8080 (live reload)"
	@echo "make test    set up what is missing, then run every test layer and the size budget"
	@echo "make build   release build into dist/"
	@echo "make size    print the wasm and JS sizes, raw, gzipped and brotli"
	@echo "make bench   engine speed, medians of 5 rounds (synthetic, realistic, explorer); make bench-frames, bench-scrub, bench-memory, bench-explore: page figures"
	@echo "make bench-startup  cold loads at 1x and 4x CPU throttling: median time until Play responds, total blocking time"

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

serve: setup
	trunk serve

build: setup
	trunk build --release

size: build
	@scripts/size.sh $(SIZE_BUDGET_GZIP) $(WORKER_BUDGET_GZIP)

# Every layer runs even when an earlier one fails, so one run reports everything; the summary line
# at the end is the one CI reads.
test: setup-test
	@scripts/test-all.sh $(SIZE_BUDGET_GZIP) $(WORKER_BUDGET_GZIP)

test-native:
	cargo test --workspace

test-browser: setup-test
	cargo test -p kafka-delivery-lab --target wasm32-unknown-unknown --test browser

test-e2e: build
	npx playwright test

# Benchmarks report figures; they are not tests and do not run in `make test`. The page benchmarks
# drive the distribution's Chromium, which setup-test installs.
# `make bench`: one line per figure, each the median of 5 rounds with their spread (engine/benches/).
bench:
	@cargo bench -q -p delivery-lab-engine --bench throughput
	@cargo bench -q -p delivery-lab-engine --bench explore

bench-frames: setup-test build
	node bench/frames.mjs

bench-scrub: setup-test build
	node bench/scrub.mjs

bench-memory: setup-test build
	node bench/memory.mjs

bench-explore: setup-test build
	node bench/explore.mjs

bench-startup: setup-test build
	node bench/startup.mjs

clean:
	cargo clean
	rm -rf dist tests/e2e/artifacts test-results
