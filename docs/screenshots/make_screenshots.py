#!/usr/bin/env python3
"""Screenshots of the agent's desk for the README, from `make run`'s demo data.

    .venv/bin/python docs/screenshots/make_screenshots.py            # its own stack, then stops it
    .venv/bin/python docs/screenshots/make_screenshots.py --url http://127.0.0.1:8000

Without --url it starts `bin/run-local` itself on free loopback ports with a throwaway DATA_DIR
(fresh demo data, about a minute), and stops it afterwards. With --url it uses a stack already
running (`make run`); it then unlinks one demo link and restores it again (as the demo lead), so
the data ends as it began, with two entries more in the audit trail.

Drives Debian's Chromium through Playwright (as the browser tests do) at 1366 px (a desk) and
390 px (a phone, or a helpdesk's side panel), and writes the PNGs next to this file.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DESKTOP = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}
PASSWORD = os.environ.get("DEMO_PASSWORD", "support-demo")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def local_stack():
    """`bin/run-local` on free ports with its own data directory; yields its URL."""
    data_dir = tempfile.mkdtemp(prefix="desk-screenshots-")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DYNALITE_PORT": str(free_port()),
        "SQS_PORT": str(free_port()),
        "DATA_DIR": data_dir,
    }
    log = open(Path(data_dir) / "run-local.log", "w")  # noqa: SIM115 - closed below
    stack = subprocess.Popen(  # noqa: S603 - our own script, no outside input
        [str(ROOT / "bin" / "run-local")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if stack.poll() is not None:
                raise SystemExit(f"bin/run-local stopped; see {log.name}")
            try:
                # An http URL on the loopback address this function chose.
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"bin/run-local did not answer in time; see {log.name}"
                    ) from None
                time.sleep(1)
        yield url
    finally:
        stack.send_signal(signal.SIGINT)  # run-local stops everything it started
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stack.kill()
        log.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def shoot(page: Page, name: str, *, start: str | None = None, whole: bool = True) -> None:
    """The whole page at desk width (the first screen only when not `whole`); one screen from
    `start` (a selector) on a narrow one."""
    page.wait_for_load_state("networkidle")
    path = HERE / f"{name}.png"
    narrow = page.viewport_size["width"] < DESKTOP["width"]
    if narrow and start:
        page.locator(start).first.evaluate("element => element.scrollIntoView()")
    page.screenshot(path=str(path), full_page=whole and not narrow)
    print(f"wrote {path.relative_to(ROOT)}")


def search(page: Page, url: str, number: str, country: str) -> None:
    query = urllib.parse.urlencode({"phone": number, "country": country})
    page.goto(f"{url}/?{query}")


def agent_pages(page: Page, url: str, suffix: str) -> None:
    desk = suffix == "desktop"
    search(page, url, "020 7946 0018", "GB")
    shoot(page, f"results-{suffix}", start="#results-heading")
    if desk:
        search(page, url, "020 7946 0018", "BR")
        shoot(page, "did-you-mean-desktop")
        search(page, url, "(11) 98765-4321", "BR")
        shoot(page, "renumbering-desktop")
    search(page, url, "(11) 91234-5678", "BR")
    page.locator("table.results tbody tr a[data-row-target]").first.click()
    shoot(page, f"customer-{suffix}")
    if desk:
        page.goto(f"{url}/")
        shoot(page, "recent-searches-desktop")


def lead_pages(page: Page, url: str, suffix: str) -> None:
    search(page, url, "(11) 91234-5678", "BR")
    # A customer with an order link to the number, which a lead may unlink.
    ordered = page.locator("table.results tbody tr", has=page.locator(".badge-order"))
    ordered.first.locator("a[data-row-target]").click()
    page.get_by_role("link", name=re.compile(r"^Unlink")).first.click()
    shoot(page, f"unlink-{suffix}")
    if suffix != "desktop":
        return
    page.get_by_label("Linked to the wrong customer").check()
    page.get_by_label("Details").fill("Ticket 4411: the caller's flatmate")
    page.get_by_role("button", name="Unlink number").click()
    search(page, url, "(11) 91234-5678", "BR")
    page.locator("details.unlinked-hint summary").click()
    shoot(page, "unlinked-hint-desktop")
    page.locator("details.unlinked-hint a").first.click()
    page.get_by_role("link", name=re.compile(r"^Restore")).first.click()
    shoot(page, "restore-desktop")
    page.get_by_label("Reason for restoring").fill("Screenshots done: the demo data as it was")
    page.get_by_role("button", name="Restore link").click()
    page.wait_for_load_state("networkidle")


def review_pages(page: Page, url: str, suffix: str) -> None:
    """The review queue, the reassigned number's results and a bulk unlink's preview of the
    reception desk's old links (previewed only: nothing is unlinked)."""
    page.goto(f"{url}/review/")
    shoot(page, f"review-queue-{suffix}", start="table.review")
    if suffix != "desktop":
        return
    search(page, url, "07946 095313", "GB")
    shoot(page, "passed-on-desktop")
    page.goto(f"{url}/review/?reason=possibly_stale")
    page.locator(".review-actions a").click()  # every row of the filter, up to the cap
    shoot(page, "bulk-preview-desktop", whole=False)  # 500 rows: what a lead sees first


def language_pages(page: Page, url: str, suffix: str) -> None:
    """The results page in each language (results-<code>-desktop.png), chosen from the top
    bar's menu; the agent's choice is English again at the end."""
    for code in ("es", "pt-br", "pt", "fr", "de", "en"):
        page.locator("#language-menu").select_option(code)
        page.locator("form.language-menu button").click()
        page.wait_for_load_state("networkidle")
        if code != "en":
            search(page, url, "020 7946 0018", "GB")
            shoot(page, f"results-{code}-{suffix}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running `make run` stack, e.g. http://127.0.0.1:8000")
    parser.add_argument(
        "--languages", action="store_true", help="only the results page in each language"
    )
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Debian's chromium is not on PATH: apt-get install chromium", file=sys.stderr)
        return 1
    with local_stack() if args.url is None else _given(args.url) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        shots = [
            (suffix, viewport, username, pages)
            for suffix, viewport in (("desktop", DESKTOP), ("narrow", NARROW))
            for username, pages in (
                ("agent", agent_pages),
                ("lead", lead_pages),
                ("lead", review_pages),
            )
        ] + [("desktop", DESKTOP, "agent", language_pages)]
        for suffix, viewport, username, pages in shots:
            if args.languages and pages is not language_pages:
                continue
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()
            sign_in(page, url, username)
            pages(page, url, suffix)
            context.close()
        browser.close()
    return 0


@contextmanager
def _given(url: str):
    yield url.rstrip("/")


if __name__ == "__main__":
    sys.exit(main())
