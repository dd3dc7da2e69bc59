"""Helpers shared by the browser journeys: console watching and screenshots."""

from pathlib import Path

from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def watch_console(page: Page) -> list[str]:
    """Console errors (CSP refusals, failed resources) of ``page``; journeys expect none."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error"
            else None)
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    return errors


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot under ``test-artifacts/`` (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
