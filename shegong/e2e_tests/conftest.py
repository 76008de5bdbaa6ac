"""Browser journeys: Playwright driving Debian's chromium against a live server.

Each journey logs in as a demo persona, follows the main path through the pages by their
visible text, saves a screenshot of each step to var/screenshots/journeys/ and runs axe-core
on it. The demo data is loaded inside each test (the live server needs committed rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "var" / "screenshots" / "journeys"
PASSWORD = "Shegong2026demo"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What axe must never find on a journey page.
BLOCKING = {"serious", "critical"}
# The shapes of a broken page: Django's debug page, a server error, a template error.
BROKEN = re.compile(r"Traceback|Server Error \(500\)|TemplateSyntaxError|NoReverseMatch")


@pytest.fixture
def browser(live_server, demo, monkeypatch) -> Iterator:
    """Chromium for one test, started after the database is set up and the demo data loaded.

    Playwright's sync API runs an event loop in this thread, and Django refuses database work
    from a thread with a running loop; the test's own queries are still synchronous.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install -y --no-install-recommends chromium; .ci/run does it)",
            pytrace=False,
        )
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make does it)", pytrace=False)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journey:
    """One persona's walk through the pages, with a screenshot and an axe check per step."""

    def __init__(self, name: str, browser, base_url: str):
        self.name = name
        self.base_url = base_url
        # bypass_csp lets the test inject axe-core; the app itself forbids inline script.
        self.context = browser.new_context(
            viewport=DESKTOP, locale="zh-CN", bypass_csp=True, accept_downloads=True
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.steps: list[str] = []

    def login(self, username: str) -> None:
        page = self.page
        page.goto(f"{self.base_url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not sign in: {self.text()[:300]}"

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None and response.status < 400, (path, response and response.status)

    def details(self, summary: str, scope=None):
        """The folded section whose summary reads `summary`, opened as a user would."""
        scope = scope or self.page.locator("main")
        section = scope.locator("details", has=self.page.locator("summary", has_text=summary)).last
        if not section.evaluate("e => e.open"):
            section.locator("summary").first.click()
        return section

    def saved(self) -> None:
        """Wait for the page a form led to and assert it says the change was saved."""
        self.page.wait_for_load_state()
        messages = self.page.locator(".messages").all_inner_texts()
        assert messages == ["已保存。"], (messages, self.main()[:1500])

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def main(self) -> str:
        return self.page.locator("main").inner_text()

    def check(self, step: str, *, phone: bool = False) -> None:
        """Screenshot the page (and at phone width when asked) and fail on serious axe findings."""
        self.page.wait_for_load_state()
        body = self.text()
        assert not BROKEN.search(body), f"{self.name} {step}: broken page\n{body[:1500]}"
        sizes = [DESKTOP, PHONE] if phone else [DESKTOP]
        for size in sizes:
            self.page.set_viewport_size(size)
            SHOTS.mkdir(parents=True, exist_ok=True)
            shot = SHOTS / f"{self.name}-{step}-{size['width']}.png"
            self.page.screenshot(path=shot, full_page=True)
            self.assert_accessible(f"{step} at {size['width']}px")
        self.page.set_viewport_size(DESKTOP)
        self.steps.append(step)

    def assert_accessible(self, where: str) -> None:
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ['violations']});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                }));
            }"""
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"{self.name} {where} ({page.url}): axe finds\n" + "\n".join(
            f"  {v['impact']} {v['id']}: {v['help']} — {', '.join(v['targets'])}" for v in blocking
        )

    def close(self) -> None:
        self.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[OUTCOME] = report
    return report


OUTCOME = pytest.StashKey[pytest.TestReport]()


@pytest.fixture
def demo(transactional_db):
    from shegong.core.demo import load_demo

    return load_demo()


@pytest.fixture
def journey(request, live_server, browser) -> Iterator:
    """Start a journey named after the test (`test_x` → `x`), signed in as a demo persona."""
    made: list[Journey] = []

    def start(username: str) -> Journey:
        name = request.node.name.removeprefix("test_")
        j = Journey(name, browser, live_server.url)
        made.append(j)
        j.login(username)
        return j

    yield start
    report = request.node.stash.get(OUTCOME, None)
    for j in made:
        if report is not None and report.failed:
            # The page the journey stopped on, to see what the user would have seen.
            SHOTS.mkdir(parents=True, exist_ok=True)
            j.page.screenshot(path=SHOTS / f"{j.name}-failed-1366.png", full_page=True)
        j.close()
