# Two commands do everything on a fresh machine:
#   make lab    set up, start the local Kafka broker, open JupyterLab on notebooks/
#   make test   set up, start a broker for the tests, run lint + unit + integration + nbval
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup lab test unit doctest integration quick notebooks lint bench broker-start broker-stop doctor clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

lab: setup
	$(PY) -m eda_lab lab

test: setup
	$(PY) tools/run_tests.py

# The pieces of `make test`, for a quicker loop while working. `integration`, `quick`, `doctest`
# and `notebooks` talk to the broker at EDA_LAB_BOOTSTRAP (default 127.0.0.1:9092: `make
# broker-start`); `unit` needs nothing.
unit: setup
	$(PY) -m pytest tests -m "not integration"

doctest: setup
	$(PY) -m pytest --doctest-modules eda_lab

integration: setup
	$(PY) -m pytest tests -m integration

quick: setup
	$(PY) -m pytest tests -m "not slow"

notebooks: setup  # notebooks/conftest.py: no progress bar in the compared outputs
	$(PY) -m pytest notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg

lint: setup
	$(PY) -m ruff check .

# Every figure is a ratio measured in the same run against the same broker (see each script's --help).
bench: setup
	$(PY) tools/bench.py
	$(PY) tools/bench_eventstore.py --kafka
	$(PY) tools/bench_patterns.py
	$(PY) tools/bench_deadletters.py
	$(PY) tools/bench_sagas.py

broker-start: setup
	$(PY) -m eda_lab broker start

broker-stop: setup
	$(PY) -m eda_lab broker stop

doctor: setup
	$(PY) -m eda_lab doctor

clean:
	rm -rf $(VENV) .eda-lab-test .pytest_cache .ruff_cache
