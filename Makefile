# Myokine: `make run` starts everything, `make test` runs every test.
# Only Python 3.11+ is needed: the rest comes from uv.lock into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.8
SERVICES := gateway program logging progression

.PHONY: install run test lint bench docs up down migration clean

install: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/pip install --quiet uv==$(UV_VERSION)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --all-extras --quiet --compile-bytecode
	@# Compiled once here: every `myokine` command and process starts without compiling
	@# what it imports (where PYTHONDONTWRITEBYTECODE is set, it would compile every time).
	@$(BIN)/python -m compileall -q -j 0 services shared infra/devstack > /dev/null
	@touch $@

run: install ## start the whole system on embedded PostgreSQL and Redis, with a demo chain
	$(BIN)/python -m devstack.run

test: install ## the whole suite (finds servers via DATABASE_URL/REDIS_URL, Docker, or embedded)
	$(BIN)/pytest -m "not bench" $(PYTEST_ARGS)

lint: install ## ruff, mypy and the import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared/myokine infra/devstack $(foreach s,$(SERVICES),services/$(s)/$(s)_service)
	$(BIN)/lint-imports

bench: install ## benchmarks for every issue that names a speed or a size
	$(BIN)/pytest -m bench tests/bench -p no:randomly --benchmark-columns=min,median,mean,max,rounds $(PYTEST_ARGS)

docs: install ## docs/api.md from the gateway's OpenAPI document
	$(BIN)/python -m devstack.api_docs

up: ## docker compose: the whole system on one host
	docker compose up --build -d

down:
	docker compose down

migration: install ## new Alembic revision: make migration SERVICE=logging MSG="add x"
	$(BIN)/python -m devstack.new_migration $(SERVICE) "$(MSG)"

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
