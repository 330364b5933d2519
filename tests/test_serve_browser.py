"""`clause-lint serve` in a real browser: headless Chromium driven by Selenium.

Opens the page served by a real server process, uploads a sample .docx, waits for
the status table and a highlighted evidence passage, downloads the annotated
.docx, and keeps a screenshot (docs/serve-screenshot.png when CLAUSE_LINT_SCREENSHOT
is set, else in the test's temp folder). Skipped, with the reason, when Chromium,
its driver or Selenium is missing; .ci/run installs them.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from tests.serve_helpers import ROOT, SAMPLES, Server, serve_available


def _browser_missing() -> str | None:
    reason = serve_available()
    if reason:
        return reason
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


pytestmark = pytest.mark.skipif(_browser_missing() is not None, reason=_browser_missing() or "")


@pytest.fixture(scope="module")
def server():  # type: ignore[no-untyped-def]
    srv = Server("--jobs", "1")
    yield srv
    srv.stop()


@pytest.fixture
def browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager: no telemetry requests
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1700", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=DriverService(shutil.which("chromedriver")))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    yield driver
    driver.quit()


def _wait(driver, condition, timeout: float = 90):  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def test_page_checks_a_docx_highlights_and_downloads(server: Server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    sample = SAMPLES / "vantor-veripass-reseller-agreement.docx"
    browser.get(server.url + "/")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=pack]"))
    browser.find_element(By.ID, "files").send_keys(str(sample))
    table = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".card .status-table tbody tr"))
    assert len(table) >= 9
    statuses = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".status-table .badge")]
    assert set(statuses) <= {"Present", "Weak", "Missing", "Contradicted", "Not applicable", "Waived"}
    assert any(s != "Present" for s in statuses)
    assert "[object" not in browser.find_element(By.TAG_NAME, "body").text
    marks = browser.find_elements(By.CSS_SELECTOR, ".doctext mark[id]")
    assert marks, "no highlighted evidence passage"
    # A finding links to its passage, and the passage is the evidence text.
    link = browser.find_element(By.CSS_SELECTOR, "a.jump")
    target = browser.find_element(By.ID, link.get_attribute("data-mark"))
    assert target.text.strip()
    # The overview table lists the document.
    assert "vantor-veripass-reseller-agreement.docx" in browser.find_element(By.ID, "overview-table").text

    # Everything the page loaded came from this server (no CDN, works offline).
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(u.startswith(server.url + "/") for u in loaded), loaded

    shot = Path(os.environ["CLAUSE_LINT_SCREENSHOT"]) if os.environ.get("CLAUSE_LINT_SCREENSHOT") else tmp_path / "page.png"
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10000

    browser.find_element(By.CSS_SELECTOR, "button[data-download=docx]").click()
    want = browser.downloads / "vantor-veripass-reseller-agreement.reviewed.docx"
    deadline = time.monotonic() + 60
    while not want.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert want.exists(), list(browser.downloads.iterdir())
    with zipfile.ZipFile(io.BytesIO(want.read_bytes())) as zf:
        assert "<w:comment " in zf.read("word/comments.xml").decode()


def test_document_text_is_escaped(server: Server, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    contract = tmp_path / "hostile.md"
    contract.write_text(
        "# Facial Recognition Terms <script>window.pwned = 1</script>\n\n"
        "1. Customer shall not use the facial recognition service in any weapon <img src=x onerror=\"window.pwned=2\">.\n",
        encoding="utf-8")
    browser.get(server.url + "/")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=pack]"))
    browser.find_element(By.ID, "files").send_keys(str(contract))
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".card .doctext p"))
    text = browser.find_element(By.CSS_SELECTOR, ".doctext").text
    assert "onerror" in text or "<img" in text or "weapon" in text
    assert browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, ".card script, .card img")
