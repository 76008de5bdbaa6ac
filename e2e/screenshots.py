"""Open the main pages in headless Chromium at desktop and phone width and save screenshots.

    python e2e/screenshots.py [BASE_URL] [OUT_DIR]

Needs a running server with demo data (`make run`) and Debian's chromium. Used to look at
what we built; it also fails loudly on a page that answers an error or shows a stack trace.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "var/screenshots")
# Optional third argument: only the pages whose path contains it (e.g. "/casework/").
ONLY = sys.argv[3] if len(sys.argv) > 3 else ""
PASSWORD = "Shegong2026demo"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "gushi_officer": [
        "/",
        "/users/",
        "/users/new/",
        "/regions/411525000000/",
        "/audit/",
        "/workforce/organisations/",
        "/calendar/",
        "/api/docs/",
        "/registry/",
        "/registry/persons/?left_behind=child",
        "/registry/imports/",
        "/registry/imports/new/",
        "/registry/duplicates/",
    ],
    "province": ["/regions/411525000000/", "/calendar/", "/registry/", "/casework/summary/"],
    "gushi_worker": [
        "/",
        "/registry/",
        "/casework/",
        "/casework/cases/",
        "/casework/cases/new/",
        "/casework/studies/",
        "/casework/summary/?by=agency",
        # With demo cases: the first few are at intake … closed, one per stage.
        "/casework/cases/1/",
        "/casework/cases/2/",
        "/casework/cases/3/",
        "/casework/cases/4/",
        "/casework/cases/6/",
        "/casework/cases/7/",
    ],
    "volunteer": ["/", "/casework/", "/casework/tasks/"],
}
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size_name, (w, h) in SIZES.items():
            for user, paths in PAGES.items():
                page = browser.new_context(
                    viewport={"width": w, "height": h}, locale="zh-CN"
                ).new_page()
                page.goto(f"{BASE}/login/")
                page.screenshot(path=OUT / f"{size_name}-login.png", full_page=True)
                page.fill("#id_username", user)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                for path in paths:
                    if ONLY and ONLY not in path:
                        continue
                    response = page.goto(f"{BASE}{path}")
                    name = f"{size_name}-{user}-{path.strip('/').replace('/', '_') or 'home'}"
                    page.screenshot(path=OUT / f"{name}.png", full_page=True)
                    if response is None or response.status >= 400:
                        problems.append(f"{user} {path}: {response and response.status}")
                page.context.close()
        browser.close()
    for line in problems:
        print("PROBLEM", line)
    print(f"screenshots in {OUT}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
