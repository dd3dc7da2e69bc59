"""Browser journeys: Playwright drives the system Chromium against a live test server.

The browser is Debian's ``chromium`` (``executable_path``), never a Playwright download.
On failure a full-page screenshot is kept under ``test-artifacts/``.
"""

import os

import pytest

from tests.browser.helpers import ARTIFACTS
from tests.conftest import chromium_path

# Chromium flags for a closed network and a root user in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


# Playwright's sync API runs an event loop in the test thread; Django's guard against ORM calls
# from async contexts would otherwise refuse the fixtures' database work. The test thread makes
# no concurrent ORM calls, so the guard protects nothing here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / f"{item.name}.png"
            try:
                page.screenshot(path=str(target), full_page=True)
                report.sections.append(("screenshot", str(target)))
            except Exception as exc:  # the page may be gone; the failure itself matters more
                report.sections.append(("screenshot", f"not taken: {exc}"))
