# Two commands do all set-up on a fresh machine: `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Material prints a banner about MkDocs 2 on every build; the notice is in README.md instead.
export NO_MKDOCS_2_WARNING := 1
# The site engine: mkdocs (MkDocs with Material, the default) or zensical (docs/engines.md).
ENGINE ?= mkdocs

.PHONY: serve build test check bench fuzz heldout clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

serve: $(STAMP)
ifeq ($(ENGINE),mkdocs)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload
else
	$(BIN)/claimkb serve --engine $(ENGINE) --dev-addr 127.0.0.1:8000
endif

# Both engines index the built site with Pagefind for the search box (the claimkb plugin does it under MkDocs).
build: $(STAMP)
ifeq ($(ENGINE),mkdocs)
	$(BIN)/mkdocs build --strict --site-dir site
else
	$(BIN)/claimkb build --engine $(ENGINE) --site-dir site
endif

check: $(STAMP)
	$(BIN)/claimkb check

# Wheels of claimkb's dependencies, its [zensical] extra's and its build backend: the packaging tests install
# claimkb, then the extra, into fresh virtual environments from these, so they need no package index
# (tests/test_package.py). The project's own wheel is left out: the tests build it from a clean copy of the sources.
WHEELHOUSE := $(VENV)/wheelhouse
$(WHEELHOUSE)/.complete: $(BIN)/python pyproject.toml
	rm -rf $(WHEELHOUSE)
	$(BIN)/python -m pip wheel --quiet --wheel-dir $(WHEELHOUSE) ".[zensical]" "setuptools>=77"
	rm -f $(WHEELHOUSE)/claimkb-*.whl
	touch $@

test: $(STAMP) $(WHEELHOUSE)/.complete
	$(BIN)/claimkb check
	CLAIMKB_WHEELHOUSE=$(WHEELHOUSE) $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m claimkb bench

fuzz: $(STAMP)
	CLAIMKB_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/test_fuzz.py tests/test_check_strict.py -p no:cacheprovider -q

# The held-out hostile corpus (docs/reliability.md): CORPUS is a folder of cases kept outside the repository.
heldout: $(STAMP)
	@test -n "$(CORPUS)" || { echo "usage: make heldout CORPUS=dir (a folder of case folders)"; exit 2; }
	CLAIMKB_HOSTILE_CORPUS="$(abspath $(CORPUS))" $(BIN)/python -m pytest tests/test_hostile_site.py -k heldout -q

clean:
	rm -rf site build/zensical .pytest_cache
