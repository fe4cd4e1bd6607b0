"""Browser fixtures: Debian's Chromium driven by Playwright for Python, one browser per session.

The root conftest monkey-patches the process with eventlet, which Playwright's driver does not
expect in one place: when Playwright stops, its dispatcher greenlet ends in eventlet's hub (eventlet
re-parents every greenlet that waits on it) instead of returning to the test. `_stop` switches back.
"""
import shutil
from pathlib import Path

import eventlet
import greenlet
import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
SCREENSHOTS = Path(__file__).parents[2] / "test-artifacts" / "screenshots"


def _stop(playwright):
    dispatcher = getattr(getattr(playwright.stop, "__self__", None), "_dispatcher_fiber", None)
    if dispatcher is None:  # another Playwright release: stop it the ordinary way
        playwright.stop()
        return
    test = greenlet.getcurrent()
    hub = eventlet.hubs.get_hub()
    stopped = []

    def back_to_the_test():
        if stopped:
            return
        if dispatcher.dead:
            test.switch()
        else:
            hub.schedule_call_global(0.02, back_to_the_test)
    hub.schedule_call_global(0.02, back_to_the_test)
    playwright.stop()
    stopped.append(True)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make system-deps installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        _stop(playwright)


@pytest.fixture
def open_page(browser, stack):
    """`open_page()` a fresh page in its own browser context (its own cookies), at the stack."""
    contexts = []

    def make(locale="en-GB"):
        context = browser.new_context(base_url=stack.base_url, locale=locale,
                                      viewport={"width": 1200, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: a full-page PNG under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return take


@pytest.fixture(scope="session")
def person_as(api, stack):
    """`person_as(role, entity=None, staff_id=None)`: a person in the directory holding that
    role, with a local account enrolled (one per role, entity and staff id in a session)."""
    from tests.identities import grant, local_person
    cache = {}

    def make(role, entity=None, staff_id=None):
        key = (role, entity, staff_id)
        if key not in cache:
            cache[key] = local_person(api, stack.base_url, grant(role, entity, staff_id))
        return cache[key]
    return make
