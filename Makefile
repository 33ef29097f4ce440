# The interface of this repository: make serve | test | outputs | bench | build | lint
# (and make lighthouse, a measurement outside the tests: benchmarks/lighthouse.py)
# Each target creates .venv on first use and refreshes it when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
AXE    := tests/browser/node_modules/axe-core/axe.min.js
LIGHTHOUSE := benchmarks/lighthouse/node_modules/.bin/lighthouse
export NO_MKDOCS_2_WARNING := 1
export PYTHONHASHSEED := 0
# Bytecode caches on, even where the environment turns them off: pytest then rewrites the
# test modules' asserts once per change instead of on every run.
unexport PYTHONDONTWRITEBYTECODE
# Finished training runs, kept between the build and the tests (see training.RUN_CACHE_ENV):
# each is computed once per change of the package, PyTorch or CPU.
export EMBEDDINGS_EXPLAINED_RUN_CACHE ?= $(CURDIR)/.cache/runs

.PHONY: serve test outputs kernels bench lighthouse build build-zensical lint clean venv

venv: $(STAMP)

# The installer is uv (from PyPI, into the venv): it downloads and unpacks in parallel, so
# PyTorch's few GB take seconds rather than pip's minutes. uv does not read pip's settings,
# so a constraints file that pip is configured with (`pip config list`: constraint) is
# passed on: both then install the same versions.
PIP_CONSTRAINTS = $(shell $(PYTHON) -m pip config list 2>/dev/null | sed -n "s/^[^=]*\.constraint='\(.*\)'$$/\1/p")

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed, found " + sys.version.split()[0] + "; run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python $(addprefix -c ,$(PIP_CONSTRAINTS)) -e ".[dev]"
	@touch $(STAMP)

# axe-core, from the npm registry, for the accessibility checks of the browser tests.
# Without npm they skip with that reason (and fail under CI=true).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/browser && npm ci --no-audit --no-fund --silent && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

serve: $(STAMP)
	SITE_URL=http://127.0.0.1:8000/ $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

# MkDocs empties its site dir before it builds: it builds into .cache/site-new, and site/ is
# replaced only by a finished build (a failed or interrupted one leaves the previous site).
build: $(STAMP)
	@rm -rf .cache/site-new .cache/site-old
	$(BIN)/mkdocs build --strict --site-dir .cache/site-new || { rm -rf .cache/site-new; exit 1; }
	@if [ -d site ]; then mv site .cache/site-old; fi; mv .cache/site-new site; rm -rf .cache/site-old

# The same site built with Zensical (Material's successor, which runs no MkDocs hooks) into
# site-zensical/, between the build steps of tools/: a check that moving stays a change of
# configuration (tests/test_zensical.py compares it with the MkDocs build). Not deployed.
build-zensical: $(STAMP)
	$(BIN)/python -m tools.prebuild
	$(BIN)/zensical build --strict -f mkdocs.zensical.yml
	$(BIN)/python -m tools.postbuild site-zensical

# Two pytest processes side by side, the built site's tests and the rest (tests/run_suite.py);
# a plain `.venv/bin/python -m pytest` runs the same tests in one. ARGS go to both.
test: $(STAMP) $(AXE)
	$(BIN)/python tests/run_suite.py $(ARGS)

outputs: $(STAMP)
	$(BIN)/python -m pytest -q -p no:hypothesispytest --update-outputs docs tests/test_docs.py

# The pages under the CPU kernels PyTorch has other than this CPU's own (make test runs that
# one): the docs tests with ATEN_CPU_CAPABILITY=default (a CPU without AVX), avx2 (most of
# GitHub's runners) and avx512, side by side, each training afresh (the run cache's key holds
# the kernels). A kernel above this CPU's own (avx512 on an AVX2 CPU, any x86 one on ARM) is
# skipped: torch reports it as asked, then dies of an illegal instruction. The CPU's own is
# make test's. The logs go to .cache/kernels-*.log. All but default, the slowest (no SIMD),
# run at the lowest priority (nice 19), so that default ends first.
KERNEL = $(BIN)/python -c 'import torch; print(torch.backends.cpu.get_cpu_capability())'

kernels: $(STAMP)
	@mkdir -p .cache; own=$$($(KERNEL)); pids=""; for cap in default avx2 avx512; do \
		case "$$own $$cap" in *" default"|"AVX2 avx2"|"AVX512 "*) ;; \
			*) echo "ATEN_CPU_CAPABILITY=$$cap: this CPU ($$own) lacks it, skipped"; continue;; esac; \
		used=$$(ATEN_CPU_CAPABILITY=$$cap $(KERNEL)); \
		if [ "$$used" = "$$own" ]; then echo "ATEN_CPU_CAPABILITY=$$cap runs $$used, this CPU's own kernel: make test runs it"; continue; fi; \
		lower=$$([ $$cap = default ] || echo "nice -n 19"); \
		( ATEN_CPU_CAPABILITY=$$cap $$lower $(BIN)/python -m pytest -q -p no:randomly -p no:hypothesispytest \
			docs tests/test_docs.py > .cache/kernels-$$cap.log 2>&1; status=$$?; \
			echo "ATEN_CPU_CAPABILITY=$$cap (ran $$used): $$(tail -n 1 .cache/kernels-$$cap.log)"; exit $$status ) & \
		pids="$$pids $$!"; \
	done; failed=0; for pid in $$pids; do wait $$pid || failed=1; done; exit $$failed

# Prints the timings; `make bench ARGS=--write` also writes benchmarks/results.md (the
# table on "Why this matters"). ARGS passes any option: --repeats N, --threads N, --min-run-time S.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_embeddings.py $(ARGS)

# Lighthouse's mobile score of every page against a bare Material page, in rounds; needs npm
# and Chromium. ARGS: --rounds N, --pages training ..., --no-build.
$(LIGHTHOUSE): benchmarks/lighthouse/package.json benchmarks/lighthouse/package-lock.json
	cd benchmarks/lighthouse && npm ci --no-audit --no-fund --silent && touch node_modules/.bin/lighthouse

lighthouse: $(STAMP) $(LIGHTHOUSE)
	$(BIN)/python benchmarks/lighthouse.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks conftest.py overrides tools
	$(BIN)/ruff format --check src tests benchmarks conftest.py overrides tools
	$(BIN)/mypy

clean:
	rm -rf site site-zensical mkdocs.zensical.yml .cache .pytest_cache .hypothesis tests/browser/node_modules benchmarks/lighthouse/node_modules
