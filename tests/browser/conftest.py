"""Playwright (Python) driving Debian's chromium against the live test server. Never downloads a browser.

Browser tests are transactional (the live server's thread reads what the test wrote), and each
one empties every table when it ends, the rows the data migrations wrote too. The autouse fixture
`migrated_rows` writes those rows again (the rules and the built-in topic subtypes) before every
browser test, so that each runs with the seeded rules, as production does. (Django's serialized
rollback does not restore them here: Playwright's event loop gives the test a different
connection object from the one the serialized contents were kept on.)
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def migrated_rows(db):
    """The rows the data migrations write (see the module docstring), written again."""
    from django.apps import apps

    from core.models import Rule
    from core.rules import seed_rules

    seed_rules(Rule)
    importlib.import_module("meetings.migrations.0002_seed_subtypes").seed(apps, None)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"未找到 Chromium：{CHROMIUM}（运行 scripts/system_deps.sh 安装 Debian 的 chromium）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def shot(page):
    """shot("name") saves a screenshot to test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str, target=None):
        (target or page).screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


def login(page, live_server, username: str, password: str):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
