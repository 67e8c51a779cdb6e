"""The review page driven as a person would: headless Chromium signs in, uploads, opens the document,
clicks a value and a finding, and the highlight is drawn over the value's printed box."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed (pip install -e '.[service]')")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the dev extra)")

import pymupdf  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from tests.service_server import Server  # noqa: E402
from tests.test_service_api import SAMPLE  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
                                       "chromium-driver; .ci/run installs them)")


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("browser"), workers=1).start()
    yield srv
    srv.stop()


def rect(driver, element) -> dict:
    return driver.execute_script("return arguments[0].getBoundingClientRect().toJSON();", element)


def test_upload_open_click_highlight(browser, server):
    wait = WebDriverWait(browser, 90)
    browser.get(server.url + "/")
    browser.find_element(By.ID, "key").send_keys("bx_wrong")
    browser.find_element(By.ID, "signin").click()
    # Signing in is a form post: the click may return before the next page has loaded.
    assert "unknown or revoked" in wait.until(EC.presence_of_element_located((By.ID, "error"))).text
    key = server.key("reviewer")
    browser.find_element(By.ID, "key").send_keys(key)
    browser.find_element(By.ID, "signin").click()

    wait.until(EC.presence_of_element_located((By.ID, "file"))).send_keys(str(SAMPLE))
    browser.find_element(By.ID, "send").click()
    # The list refreshes itself until the job is done.
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "#documents td.status"), "done"))
    browser.find_element(By.LINK_TEXT, SAMPLE.name).click()
    wait.until(EC.presence_of_element_located((By.ID, "t3")))

    # The value a person checks: t3's first row total, whose box the extraction recorded.
    doc_id = browser.current_url.rstrip("/").split("/")[-1]
    with server.client(key) as c:
        result = c.get(f"/v1/documents/{doc_id}/result").json()
    ptr = "/tables/t3/rows/0/total"
    spot = result["provenance"][ptr]
    cell = browser.find_element(By.CSS_SELECTOR, f'td[data-ptr="{ptr}"]')
    assert cell.text == result["tables"]["t3"]["rows"][0]["total"]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
    cell.click()
    image = browser.find_element(By.ID, "pageimg")
    wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image))
    assert image.get_attribute("data-page") == str(spot["page"])
    box = browser.find_element(By.CSS_SELECTOR, "#boxes .hl.value")
    page = pymupdf.open(SAMPLE)[spot["page"] - 1].rect
    img, hl = rect(browser, image), rect(browser, box)
    sx, sy = img["width"] / page.width, img["height"] / page.height
    x0, y0, x1, y1 = spot["bbox"]
    for got, want in ((hl["left"], img["left"] + x0 * sx), (hl["top"], img["top"] + y0 * sy),
                      (hl["right"], img["left"] + x1 * sx), (hl["bottom"], img["top"] + y1 * sy)):
        assert abs(got - want) <= 1.5, (hl, img, spot)
    # The image shown is that page: its aspect ratio is the page's.
    assert abs(img["width"] / img["height"] - page.width / page.height) < 0.01

    # A finding marks its cells in the tables and on the page.
    findings = browser.find_elements(By.CSS_SELECTOR, "li.finding")
    assert len(findings) == len(result["findings"]) > 0
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    if errors:
        first = errors[0]
        marked = {td.get_attribute("data-ptr") for td in browser.find_elements(By.CSS_SELECTOR, "td.flag-error")}
        assert set(first["locations"]) <= marked
        findings[0].click()
        page_of = result["provenance"][first["locations"][0]]["page"]
        on_page = [p for p in first["locations"] if result["provenance"].get(p, {}).get("page") == page_of]
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#boxes .hl.finding")) == len(on_page))

    # Filtering by severity hides the other findings.
    Select(browser.find_element(By.ID, "severity")).select_by_value("warning")
    shown = [li for li in browser.find_elements(By.CSS_SELECTOR, "li.finding") if li.is_displayed()]
    assert len(shown) == sum(f["severity"] == "warning" for f in result["findings"])
    assert not browser.find_elements(By.CSS_SELECTOR, "td.flag-error")

