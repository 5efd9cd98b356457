# Siyu — the two commands first: `make run` (local stack) and `make test` (the whole suite).
# Everything needed is installed by these targets: uv into .tools/, dependencies into .venv/.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
RUN := $(UV) run --frozen
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := $(shell node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint format typecheck synth deploy bench schemas install clean

$(UV):
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	@$(UV) sync --frozen --quiet
	@touch $@

install: .venv/.synced

run: install  ## start the local stack on http://127.0.0.1:8000 (SIYU_PORT overrides)
	@$(RUN) python -m local

test: install  ## the whole suite: unit, contract, infrastructure and end-to-end
	@$(RUN) pytest

lint: install  ## ruff (lint + format check) and mypy
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) mypy .

format: install
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

schemas: install  ## regenerate the published JSON Schemas of every event
	@$(RUN) python -m shared.events.export schemas

synth: install  ## synthesize the CloudFormation templates offline (STAGE=dev|prod)
	@$(RUN) python app.py --stage $${STAGE:-dev}
	@echo "synthesized Siyu-$${STAGE:-dev} to cdk.out/ (cdk-nag report: cdk.out/AwsSolutions-*-NagReport.csv)"

deploy: install  ## deploy with the CDK CLI (needs AWS credentials): STAGE=dev|prod
	@npx --yes aws-cdk@2 deploy --all --context stage=$${STAGE:-dev} --app "$(RUN) python app.py"

bench: install  ## the figures: costs per operation and cold imports (bench/results/latest.json), then the local stack's idle cost, memory and shutdown (bench/results/stack.json)
	@$(RUN) python -m bench
	@$(RUN) python -m bench.stack

clean:
	rm -rf .venv $(TOOLS) cdk.out .mypy_cache .ruff_cache
