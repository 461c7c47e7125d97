# One command to set up and run the demo, one to test. Everything runs offline after install.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   := training_data/retake
DEMO   := out/demo
TEST_WORKERS ?= 2  # pytest-xdist processes; each test file runs whole in one of them
MODEL  := models/retake-demo
PROJECT := $(DEMO)/retake.sqlite
ROUNDS := $(DEMO)/rounds.sqlite
# store the batch in the demo project only the first time, so a re-run keeps your review decisions
PROJECT_ARG = $(if $(wildcard $(PROJECT)),,--project $(PROJECT))
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test test-fast benchmark clean help

help:
	@echo "make demo   set up .venv, train on the shipped corpus, pre-annotate the shipped new batch into $(DEMO)/"
	@echo "make test   set up .venv, then run the whole test suite"
	@echo "make test-fast  unit tests only (fake embedder, no browser)"
	@echo "make benchmark  speed, memory and cross-validated F1 on the shipped corpus"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p $(DEMO)
	$(BIN)/suggest codebook $(DATA)/codebook.yaml
	$(BIN)/suggest train --codebook $(DATA)/codebook.yaml --data $(DATA)/coded.csv --out $(MODEL)
	$(BIN)/suggest batch --model $(MODEL) $(DATA)/new_batch \
		--out $(DEMO)/suggestions.csv --out $(DEMO)/suggestions.jsonl --out $(DEMO)/suggestions.xlsx $(PROJECT_ARG)
	$(BIN)/suggest agree $(DATA)/coded.csv --codebook $(DATA)/codebook.yaml --model $(MODEL) --by source_type --out $(DEMO)/agreement
	$(BIN)/suggest next --model $(MODEL) --pool $(DEMO)/suggestions.csv --n 20 --out $(DEMO)/next.xlsx
	$(BIN)/suggest synthesise --data $(DATA)/coded.csv --codebook $(DATA)/codebook.yaml --out $(DEMO)/synthesis
	@# three review rounds with SIMULATED decisions (from the shipped coding), built once; then agreement over rounds
	@test -f $(ROUNDS) || $(BIN)/python experiments/review_rounds_demo.py --project $(ROUNDS)
	$(BIN)/suggest agree --project $(ROUNDS) --out $(DEMO)/rounds
	@echo; echo "Review the batch in your browser:  .venv/bin/suggest review --project $(PROJECT) --coder YOUR_NAME"
	@echo; echo "Demo outputs:"; find $(DEMO) -maxdepth 2 -type f ! -name '*-wal' ! -name '*-shm' | sort | sed 's/^/  /'

test: install
	$(BIN)/python -m pytest -q -rs --durations=15 -n $(TEST_WORKERS) --dist loadfile

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow" tests/unit

benchmark: install
	$(BIN)/python experiments/benchmark_pipeline.py

clean:
	rm -rf $(DEMO) $(MODEL) models/rounds-demo-*
