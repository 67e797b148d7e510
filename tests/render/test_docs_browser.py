"""The HTML reference in a real browser: headless Chromium (Debian's, which `make test` installs with
a CJK font) opens the pages as files, offline, at desktop size and at a phone's 390 px.

The pages are built from this module's own specs, so what is searched for and where it lands does
not depend on the models in specs/. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.build.generate import generated_tree
from tests.conftest import ROOT, model_spec

ARTIFACTS = ROOT / "test-artifacts"
CHINESE = "生成一张图片。默认值：“1:1”"

pytestmark = pytest.mark.slow


def _specs(folder: Path) -> None:
    specs = [
        model_spec(
            "acme",
            "tiny",
            {
                "type": "object",
                "required": ["prompt"],
                "properties": {
                    "prompt": {"type": "string", "description": "What to draw, e.g. `a red fox`."},
                    "steps": {"type": "integer", "minimum": 5, "maximum": 50},
                },
            },
            description="Draws **small** pictures. See [the guide](https://replicate.com/acme/tiny) "
            "or [this](javascript:alert(1)); <script>alert(1)</script> stays text.",
        ),
        model_spec(
            "zeta-labs",
            "wide",
            {
                "type": "object",
                "required": ["prompt"],
                "properties": {
                    "prompt": {"type": "string", "description": CHINESE},
                    "guidance_scale": {"type": "number", "description": "How closely to follow the prompt."},
                },
            },
            description=f"{CHINESE} 支持多种宽高比。",
        ),
    ]
    for spec in specs:
        owner, name = spec["info"]["x-model"]["owner"], spec["info"]["x-model"]["name"]
        (folder / owner).mkdir(parents=True)
        (folder / owner / f"{name}.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site")
    _specs(root / "specs")
    for path, content in generated_tree(root / "specs").items():
        if path.startswith("docs/"):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(content)
    return root / "docs"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is missing: `make test` installs Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.execute_cdp_cmd(
            "Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}
        )
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def desktop(browser: Any) -> Any:
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    browser.execute_script("try { localStorage.clear(); } catch (e) {}")
    return browser


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    metrics = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _open(browser: Any, page: Path) -> None:
    browser.get(page.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"


def _css(browser: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(browser.find_elements(By.CSS_SELECTOR, selector))


def test_the_sidebar_lists_models_by_owner_marks_the_page_and_navigates(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "models" / "acme" / "tiny.html")
    owners = [s.text for s in _css(desktop, "#sidebar details summary")]
    assert owners == ["acme (1)", "zeta-labs (1)"]
    current = _css(desktop, '#sidebar a[aria-current="page"]')
    assert [a.text for a in current] == ["tiny"]
    operations = [a.text for a in _css(desktop, "#sidebar ul")[1].find_elements("css selector", "a")]
    assert "Get a prediction" in operations
    _css(desktop, "#sidebar details summary")[1].click()  # open zeta-labs
    next(a for a in _css(desktop, "#sidebar a") if a.text == "wide").click()
    assert desktop.current_url.endswith("/models/zeta-labs/wide.html")
    assert desktop.find_element("tag name", "h1").text == "zeta-labs/wide"
    desktop.save_screenshot(str(ARTIFACTS / "docs-desktop-model.png"))


def test_search_finds_an_input_of_another_model_and_lands_on_its_row(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "models" / "acme" / "tiny.html")
    desktop.find_element("id", "search").send_keys("guidance")
    results = _css(desktop, "#search-results a")
    assert results and "guidance_scale" in results[0].text and "zeta-labs/wide" in results[0].text
    desktop.save_screenshot(str(ARTIFACTS / "docs-search.png"))
    results[0].click()
    assert desktop.current_url.endswith("/models/zeta-labs/wide.html#input-guidance_scale")
    row = desktop.find_element("id", "input-guidance_scale")
    top = desktop.execute_script("return arguments[0].getBoundingClientRect().top", row)
    assert 0 <= top < desktop.execute_script("return window.innerHeight")  # scrolled to, not under the header
    assert desktop.execute_script("return getComputedStyle(arguments[0]).backgroundColor", row) != "rgba(0, 0, 0, 0)"


def test_search_lists_every_model_with_an_input_of_that_name(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "index.html")
    desktop.find_element("id", "search").send_keys("prompt")
    hrefs = [a.get_attribute("href") for a in _css(desktop, "#search-results a")]
    assert any(h.endswith("/models/acme/tiny.html#input-prompt") for h in hrefs)
    assert any(h.endswith("/models/zeta-labs/wide.html#input-prompt") for h in hrefs)


def test_a_language_tab_chosen_on_one_page_is_kept_on_the_next(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "models" / "acme" / "tiny.html")
    assert _visible_panel(desktop) == "curl"  # the first tab until one is chosen
    next(t for t in _css(desktop, "[role=tab]") if t.text == "Python, async").click()
    assert _visible_panel(desktop) == "python-async"
    _open(desktop, docs / "models" / "zeta-labs" / "wide.html")
    assert _visible_panel(desktop) == "python-async"
    _open(desktop, docs / "operations" / "get-prediction.html")  # no async example here: the first tab
    assert _visible_panel(desktop) == "curl"


def _visible_panel(browser: Any) -> str:
    shown = [p.get_attribute("data-language") for p in _css(browser, ".tabs [role=tabpanel]") if p.is_displayed()]
    assert len(shown) == 1, shown
    selected = [t.get_attribute("data-language") for t in _css(browser, '[role=tab][aria-selected="true"]')]
    assert selected == shown
    return str(shown[0])


def test_the_copy_button_puts_the_blocks_text_on_the_clipboard(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "models" / "acme" / "tiny.html")
    block = next(b for b in _css(desktop, ".tabs .code") if b.is_displayed())
    expected = desktop.execute_script("return arguments[0].querySelector('pre').textContent", block)
    assert expected.startswith("curl ")
    block.find_element("css selector", ".copy").click()
    copied = desktop.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done, function (e) { done('error: ' + e); });"
    )
    assert copied == expected


def test_descriptions_are_markdown_with_html_shown_as_text_and_only_web_links(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "models" / "acme" / "tiny.html")
    main = desktop.find_element("tag name", "main")
    assert main.find_element("css selector", "strong").text == "small"
    assert "<script>alert(1)</script> stays text" in main.text
    links = [a.get_attribute("href") for a in main.find_elements("css selector", "a")]
    assert "https://replicate.com/acme/tiny" in links and not any(h.startswith("javascript:") for h in links)
    code = [c.text for c in main.find_elements("css selector", "td code")]
    assert "a red fox" in code  # a description's backticks became code, not literal backticks


def test_a_phone_gets_no_horizontal_scrolling_and_a_sidebar_that_folds_away(docs: Path, phone: Any) -> None:
    for page in sorted(docs.rglob("*.html")):
        _open(phone, page)
        assert phone.execute_script("return window.innerWidth") == 390
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert width <= 390, (page.relative_to(docs), width)
    _open(phone, docs / "models" / "acme" / "tiny.html")
    sidebar = phone.find_element("id", "sidebar")
    assert not sidebar.is_displayed()
    phone.find_element("id", "menu").click()
    assert sidebar.is_displayed()
    phone.save_screenshot(str(ARTIFACTS / "docs-phone-menu.png"))
    _css(phone, "#sidebar details summary")[1].click()
    next(a for a in _css(phone, "#sidebar a") if a.text == "wide").click()
    assert phone.current_url.endswith("/models/zeta-labs/wide.html")
    assert not phone.find_element("id", "sidebar").is_displayed()
    phone.save_screenshot(str(ARTIFACTS / "docs-phone-model.png"))


def test_chinese_text_renders_as_glyphs_not_boxes(docs: Path, desktop: Any) -> None:
    """Each character drawn in the page's own font stack is compared with a character no font has
    (U+10FFFD): when no CJK font is found, both are the same empty box."""
    _open(desktop, docs / "models" / "zeta-labs" / "wide.html")
    assert CHINESE in desktop.find_element("tag name", "main").text
    drawn = desktop.execute_script(
        "var family = getComputedStyle(document.body).fontFamily;"
        "function pixels(text) {"
        "  var canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;"
        "  var context = canvas.getContext('2d'); context.font = '36px ' + family;"
        "  context.fillText(text, 4, 40); return Array.prototype.join.call(context.getImageData(0, 0, 48, 48).data);"
        "}"
        "var box = pixels('\\u{10FFFD}');"
        "return Array.from(arguments[0]).map(function (c) { return [c, pixels(c) !== box]; });",
        "生成图片默认值",
    )
    assert all(is_glyph for _, is_glyph in drawn), (drawn, "no CJK font? `make test` installs fonts-wqy-microhei")
    desktop.save_screenshot(str(ARTIFACTS / "docs-cjk.png"))
    assert (ARTIFACTS / "docs-cjk.png").stat().st_size > 10_000


def test_the_index_filter_still_narrows_the_table(docs: Path, desktop: Any) -> None:
    _open(desktop, docs / "index.html")
    rows = _css(desktop, "#models tbody tr")
    assert len(rows) == 2
    desktop.find_element("id", "filter").send_keys("zeta")
    assert [r.text.split()[0] for r in rows if r.is_displayed()] == ["zeta-labs/wide"]
    summaries = [r.find_elements("css selector", "td")[3].get_attribute("textContent") for r in rows]
    assert summaries == ["Draws small pictures.", "生成一张图片。"]
