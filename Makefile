# Two commands do everything: `make demo` and `make test`. Both create the virtual
# environment (.venv) and install what is missing, system packages included.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages: the CJK font for rendering pages, Tesseract with the languages the
# benchmark's baselines and the optional engine use.
SYSTEM_PACKAGES := fonts-wqy-zenhei tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-script-frak
DEMO_INPUTS := $(wildcard samples/*.png samples/*.jpg samples/*.pdf samples/*.lines.json)

.PHONY: demo test bench system venv clean

demo: venv
	$(VENV)/bin/pagestitch run $(DEMO_INPUTS) -o out/demo
	@echo; echo "== out/demo/zh-4col.png.md (first lines) =="; head -n 20 out/demo/zh-4col.png.md
	@echo; echo "Results for every sample are in out/demo/ (.json and .md per page)."

test: venv
	$(PY) -m pytest

bench: venv
	$(VENV)/bin/pagestitch bench --quick --out bench-out

venv: $(STAMP)

$(STAMP): pyproject.toml | system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "installing system packages: $$missing"; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

clean:
	rm -rf out bench-out .cache
