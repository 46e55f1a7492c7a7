# casplan — two commands do all set-up on a fresh Debian machine:
#   make report   renders the sample year's report into reports/
#   make test     runs the whole test suite
# Both create .venv when missing, install the package, and install the Debian
# packages the work needs (Chromium, Noto CJK fonts, poppler) when missing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.casplan-installed
SAMPLES := $(CURDIR)/data/samples/2023
DEB_PACKAGES := chromium fonts-noto-cjk poppler-utils fontconfig time
PYTEST_ARGS ?=

.PHONY: report test system venv bench sample clean-reports whatif

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Debian packages: installed only when something is missing (CI runs as root).
system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v fc-list >/dev/null 2>&1 || missing="$$missing fontconfig"; \
	test -x /usr/bin/time || missing="$$missing time"; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

report: system $(STAMP)
	$(VENV)/bin/casplan report --params data/samples/2023/report-params.yaml --out reports

whatif: system $(STAMP)
	$(VENV)/bin/casplan whatif --params data/samples/2023/report-params.yaml --out reports

test: system $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: system $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/reviews.py

sample: $(STAMP)
	$(PY) -m tools.sample --out data/samples/2023
	$(PY) -m tools.sample_round --out data/samples/2023-reviews
