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

.PHONY: run test lint format typecheck synth deploy redrive replay smoke staff-token bench schemas install clean \
	web web-client web-dev browser screenshots

$(UV):
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	@$(UV) sync --frozen --quiet
	@touch $@

install: .venv/.synced

# The frontends (web/): npm ci when the lock changes, vite build when a source changes.
WEB_SHARED := $(shell find web/shared -type f 2>/dev/null) web/tsconfig.base.json
# Builds of one app never overlap (two `make` runs at once would share its dist/); flock is
# util-linux's, absent on macOS, where builds are simply not serialised.
FLOCK := $(shell command -v flock 2>/dev/null)
web/node_modules/.installed: web/package.json web/package-lock.json
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.SECONDEXPANSION:
web/%/dist/index.html: web/node_modules/.installed $(WEB_SHARED) $$(shell find web/$$* -type f -not -path 'web/$$*/dist/*' 2>/dev/null)
	@cd web && $(if $(FLOCK),$(FLOCK) .build-$*.lock) npx vite build --logLevel warn -c $*/vite.config.ts

web: web/console/dist/index.html web/member/dist/index.html  ## build the console and the member H5 (skipped when up to date)

web-client: install web/node_modules/.installed  ## regenerate the frontends' API client from the OpenAPI document
	@$(RUN) python -m local.openapi_export > web/shared/api/.openapi.json.new
	@node web/scripts/generate-client.mjs --from web/shared/api/.openapi.json.new; status=$$?; rm -f web/shared/api/.openapi.json.new; exit $$status

web-dev: install web/node_modules/.installed  ## Vite dev servers (console :5173, H5 :5174) proxying /v1 to the local stack (run `make run` beside it)
	@cd web && npm run dev

# Browser tests drive a real headless Chromium: Debian's, installed when missing, with CJK fonts
# so that the screenshots show the console's Chinese.
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@{ command -v chromium || command -v chromium-browser; } >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || { \
		echo "installing Chromium and CJK fonts (Debian packages) for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; }

run: install web  ## start the local stack on http://127.0.0.1:8000 (SIYU_PORT overrides): API, console (/console/), member H5 (/m/)
	@$(RUN) python -m local

# Two workers (tests/conftest.py groups what shares a costly fixture); the API fuzz runs on its
# own afterwards: schemathesis makes one test per operation, which xdist workers cannot share.
# The 30 slowest tests are listed at the end: where the suite's time goes.
test: install web browser  ## the whole suite: unit, contract, infrastructure, end-to-end and in the browser
	@$(RUN) pytest -n 2 --dist loadgroup --durations=30 --ignore=tests/unit/test_api_fuzz.py
	@$(RUN) pytest tests/unit/test_api_fuzz.py

lint: install  ## ruff (lint + format check) and mypy
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) mypy .

format: install
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

schemas: install  ## regenerate the published JSON Schemas of every event
	@$(RUN) python -m shared.events.export schemas

synth: install web  ## synthesize the CloudFormation templates offline (STAGE=dev|prod, REGION= e.g. cn-north-1)
	@$(RUN) python app.py --stage $(or $(STAGE),dev)$(if $(REGION), --region $(REGION))
	@echo "synthesized the Siyu-$(or $(STAGE),dev)-* stacks to $${CDK_OUTDIR:-cdk.out}/ (cdk-nag reports: AwsSolutions-*-NagReport.csv there)"

deploy: install web  ## deploy every stack with the CDK CLI (AWS credentials; docs/operations.md): STAGE=dev|prod [REGION=]
	@test -n "$(STAGE)" || { echo "usage: make deploy STAGE=dev|prod [REGION=cn-north-1]  (runbook: docs/operations.md)"; exit 2; }
	@$(if $(REGION),AWS_REGION=$(REGION) AWS_DEFAULT_REGION=$(REGION) CDK_DEFAULT_REGION=$(REGION)) \
		npx --yes aws-cdk@2 deploy --all --context stage=$(STAGE) \
		--app "$(RUN) python app.py --stage $(STAGE)$(if $(REGION), --region $(REGION))"

# The operator's commands (docs/operations.md). STAGE=local (the default) acts on `make run`'s stack
# at URL (default http://127.0.0.1:8000); STAGE=dev|prod on AWS with the usual credentials.
OPS_TARGET = --stage $(or $(STAGE),local)$(if $(URL), --url $(URL))$(if $(REGION), --region $(REGION))

redrive: install  ## a DLQ back to its source: QUEUE=<consumer>|<service>-publisher [DRY_RUN=1] [STAGE=] [REGION=]
	@test -n "$(QUEUE)" || { echo "usage: make redrive QUEUE=<consumer>|<service>-publisher [DRY_RUN=1] [STAGE=local|dev|prod] [REGION=]"; exit 2; }
	@$(RUN) python -m ops.redrive $(QUEUE)$(if $(filter 1 yes true,$(DRY_RUN)), --dry-run) $(OPS_TARGET)

replay: install  ## archived events again: FROM=<RFC 3339> TO=<RFC 3339> [TYPES=A,B] [STAGE=] [REGION=]
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make replay FROM=2026-03-01T08:00:00Z TO=2026-03-01T09:00:00Z [TYPES=ContactCreated,...] [STAGE=] [REGION=]"; exit 2; }
	@$(RUN) python -m ops.replay --from $(FROM) --to $(TO)$(if $(TYPES), --types $(TYPES)) $(OPS_TARGET)

smoke: install  ## post-deploy check (sign in, create, read, clean up): STAGE=local|dev|prod [URL=] [REGION=]
	@$(RUN) python -m ops.smoke $(OPS_TARGET)

staff-token: install  ## a Siyu-issued staff token (China stages): STAGE= TENANT= STAFF= ROLES=admin,agent [REGION=]
	@test -n "$(STAGE)" -a -n "$(TENANT)" -a -n "$(STAFF)" -a -n "$(ROLES)" || { echo "usage: make staff-token STAGE= TENANT= STAFF= ROLES=admin[,manager...] [REGION=]"; exit 2; }
	@$(RUN) python -m ops.staff_tokens --stage $(STAGE) --tenant $(TENANT) --staff $(STAFF) --roles $(ROLES)$(if $(REGION), --region $(REGION))

bench: install web browser  ## the figures: costs per operation and cold imports (bench/results/latest.json), the local stack's idle cost, memory and shutdown (bench/results/stack.json), the frontends' JavaScript and landing flow (bench/results/web.json), contacts intelligence: segments, sweep, backfill, import, merges (bench/results/contacts.json), the WeCom connector: callbacks per second, requests per add, callback-to-welcome latency (bench/results/wecom.json), outreach: broadcast planning and the journey tick (bench/results/outreach.json), referral programs: qualification, the influence update, the leaderboard (bench/results/referrals.json)
	@$(RUN) python -m bench
	@$(RUN) python -m bench.stack
	@$(RUN) python -m bench.web
	@$(RUN) python -m bench.contacts
	@$(RUN) python -m bench.wecom
	@$(RUN) python -m bench.outreach
	@$(RUN) python -m bench.referrals

screenshots: install web browser  ## the README's pictures (docs/images/), from a local stack with a demo tenant
	@$(RUN) python -m bench.screenshots

clean:
	rm -rf .venv $(TOOLS) cdk.out .mypy_cache .ruff_cache
