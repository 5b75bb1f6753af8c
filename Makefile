# `make run`  — set everything up and serve the demo bureau on SQLite at http://127.0.0.1:8000
# `make test` — set everything up and run the whole suite (lint, checks, SQLite, PostgreSQL, browser)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/partybuilding
PG_SERVER_URL ?= postgres://postgres@127.0.0.1:5432
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv assets migrate demo lint check test-sqlite test-postgres test-browser upgrade-check bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@echo "==> 创建虚拟环境并安装 Python 依赖"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> 安装前端依赖（npm ci）"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(VENV)/.installed

assets: node_modules/.installed
	$(PYTHON) scripts/build_assets.py

setup: venv assets

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --if-empty

run: demo
	@echo "==> 启动服务：http://$(HOST):$(PORT)/"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	@echo "==> ruff"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup
	@echo "==> Django 检查与迁移检查"
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-value \
		DJANGO_ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

test-sqlite: setup
	@echo "==> 测试（SQLite）"
	$(PY) -m pytest -q -m "not browser" -p no:cacheprovider

test-postgres: setup
	@echo "==> 测试（PostgreSQL）"
	bash scripts/system_deps.sh
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q -m "not browser" -p no:cacheprovider

test-browser: setup
	@echo "==> 浏览器测试（Playwright + Debian chromium）"
	bash scripts/system_deps.sh
	$(PY) -m pytest -q -m browser -p no:cacheprovider

upgrade-check: setup
	@echo "==> 升级检查：上一版本建立的数据库由当前代码迁移（PostgreSQL）"
	bash scripts/system_deps.sh
	PG_SERVER_URL=$(PG_SERVER_URL) $(PY) scripts/upgrade_check.py

test: setup
	bash scripts/system_deps.sh
	$(MAKE) lint check test-sqlite test-postgres upgrade-check test-browser

bench: setup
	$(PY) manage.py bench

clean:
	rm -rf $(VENV) node_modules static_build staticfiles
