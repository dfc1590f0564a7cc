"""`lettermine serve` in a real browser: Debian's chromium, headless, driven by Selenium.

Skipped where chromium, chromedriver or selenium is missing (.ci/run installs them). With
$LETTERMINE_SHOTS set to a folder, full-page screenshots of the board, a letter and an action
are saved there to be looked at.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import EDITOR, EH1, PASSWORDS, TODAY, VIEWER, action_id, copy_db

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover - selenium is a dev dependency
    webdriver = None

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER and webdriver),
        reason="needs chromium, chromedriver (Debian: chromium chromium-driver) and selenium",
    ),
]
SHOTS = os.environ.get("LETTERMINE_SHOTS")
NEW_EDITOR = "Improvement Lead"


@pytest.fixture(scope="module")
def server(web_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`lettermine serve` on a copy of the seed scenario, as at its day, on a free port."""
    from lettermine.web import users

    db = copy_db(web_seed, tmp_path_factory.mktemp("browser") / "tracker.db")
    conn = sqlite3.connect(db)
    once = users.add_user(conn, NEW_EDITOR, "editor")
    conn.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "lettermine", "serve", "--db", str(db), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LETTERMINE_TODAY": TODAY},
    )
    assert process.stderr is not None
    url = None
    for _ in range(10):
        found = re.search(r" at (http://\S+/) ", process.stderr.readline())
        if found:
            url = found.group(1).rstrip("/")
            break
    assert url, "the server did not start"
    yield {"url": url, "db": db, "one_time": once}
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _sign_in(driver: Any, url: str, name: str, password: str) -> None:
    driver.get(url + "/")
    assert "/-/login" in driver.current_url  # nobody sees the board without signing in
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    _submit(driver, "main form button[type=submit]")


def _submit(driver: Any, selector: str, by: str = "css selector") -> None:
    """Click a form's button (or a link) and wait for the page it leads to: the clicked
    element gone from the document, then the new one loaded. Chromium answers a question
    about an element of a page being replaced with a stale-element error or, mid-navigation,
    "Node with given id does not belong to the document"; both mean the old page is gone."""
    element = driver.find_element(by, selector)
    element.click()

    def gone(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one
            return True
        return False

    WebDriverWait(driver, 60).until(gone)
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _shot(driver: Any, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 600), 8000))
    driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def _row(driver: Any, action: int) -> str:
    return str(driver.find_element(By.ID, f"action-{action}").text)


def _history_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM action_history").fetchone()[0])
    finally:
        conn.close()


def test_an_editor_signs_in_records_an_update_and_the_board_changes(
    server: dict[str, Any], browser: Any
) -> None:
    url, db = server["url"], server["db"]
    action = action_id(sqlite3.connect(db), EH1)
    # A new editor signs in with the one-time password and must choose their own.
    _sign_in(browser, url, NEW_EDITOR, server["one_time"])
    assert browser.find_element(By.TAG_NAME, "h1").text == "Choose your own password"
    browser.find_element(By.ID, "new").send_keys("a passphrase I chose")
    browser.find_element(By.ID, "again").send_keys("a passphrase I chose")
    _submit(browser, "main form button[type=submit]")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Improvement board")
    before = _row(browser, action)
    assert "Amber" in before and "50%" in before
    _shot(browser, "board-before")

    _submit(browser, EH1, By.LINK_TEXT)
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Action {action}: {EH1}"
    browser.find_element(By.ID, "percent").send_keys("80")
    browser.find_element(By.ID, "note").send_keys("Pathway agreed with the ICB and GPs")
    browser.find_element(By.ID, "evidence").send_keys("ICB board minutes, January 2024")
    _submit(browser, "#form-progress button[type=submit]")
    assert "Progress recorded." in browser.page_source
    assert "Green" in browser.find_element(By.CSS_SELECTOR, ".lm-rag-big").text
    last = browser.find_elements(By.CSS_SELECTOR, "table.lm-history tbody tr")[-1].text
    assert "Progress update" in last and NEW_EDITOR in last and "80% done" in last
    _shot(browser, "action")

    _submit(browser, "Improvement board", By.LINK_TEXT)
    after = _row(browser, action)
    assert "Green" in after and "80%" in after
    assert "Pathway agreed with the ICB and GPs" in after and NEW_EDITOR in after
    _shot(browser, "board")

    # The first letter that this action answers, as a reader would go on to look at it.
    browser.get(url + "/-/lettermine/letters/3")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Joint targeted area")
    _shot(browser, "letter")


def test_a_viewer_sees_no_forms_and_forged_posts_are_refused(
    server: dict[str, Any], browser: Any
) -> None:
    url, db = server["url"], server["db"]
    action = action_id(sqlite3.connect(db), EH1)
    _sign_in(browser, url, VIEWER, PASSWORDS[VIEWER])
    browser.get(f"{url}/-/lettermine/actions/{action}")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(f"Action {action}")
    assert browser.find_elements(By.CSS_SELECTOR, "form[action$='/update']") == []
    assert browser.find_elements(By.ID, "percent") == []
    before = _history_count(db)
    post = """
        const [body, done] = [arguments[0], arguments[arguments.length - 1]];
        fetch(arguments[1], {method: 'POST', body: new URLSearchParams(body),
               credentials: 'same-origin', redirect: 'manual'})
          .then(r => done(r.status), e => done(String(e)));"""
    token = browser.find_element(By.CSS_SELECTOR, "input[name=csrftoken]").get_attribute("value")
    target = f"/-/lettermine/actions/{action}/update"
    forged = {"csrftoken": token, "change": "progress", "percent": "99", "note": "forged"}
    assert browser.execute_async_script(post, forged, target) == 403
    no_token = {"change": "progress", "percent": "99", "note": "forged"}
    assert browser.execute_async_script(post, no_token, target) == 403
    assert _history_count(db) == before


def test_an_editor_post_without_the_csrf_token_is_refused(
    server: dict[str, Any], browser: Any
) -> None:
    url, db = server["url"], server["db"]
    action = action_id(sqlite3.connect(db), EH1)
    _sign_in(browser, url, EDITOR, PASSWORDS[EDITOR])
    browser.get(f"{url}/-/lettermine/actions/{action}")
    before = _history_count(db)
    # Remove the token from the real form, then submit it as the browser would.
    browser.execute_script(
        "document.querySelector('#form-progress input[name=csrftoken]').remove()"
    )
    browser.find_element(By.ID, "note").send_keys("no token")
    _submit(browser, "#form-progress button[type=submit]")
    assert "form-urlencoded POST field did not match cookie" in browser.page_source
    assert _history_count(db) == before


def test_search_finds_changes_of_social_worker(server: dict[str, Any], browser: Any) -> None:
    url = server["url"]
    _sign_in(browser, url, VIEWER, PASSWORDS[VIEWER])
    _submit(browser, "Search across visits", By.LINK_TEXT)
    browser.find_element(By.ID, "q").send_keys("changes of social worker")
    Select(browser.find_element(By.ID, "la")).select_by_visible_text("North East Lincolnshire")
    _submit(browser, "form[role=search] button[type=submit]")
    caption = browser.find_element(By.CSS_SELECTOR, "table.lm-results caption").text
    assert "for “changes of social worker”" in caption
    marked = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "table.lm-results mark")]
    assert {"changes", "social", "worker"} <= set(marked)
    letters = browser.find_element(By.CSS_SELECTOR, "table.lm-results").text
    assert "Focused visit, 5 May 2021" in letters
    _shot(browser, "search")
