"""A real headless chromium driven by Selenium with Debian's chromedriver, for the terminal page.

The page is opened as the optio API's widget proxy would serve it: every request (the page,
its scripts, the WebSocket) carries ``Authorization: Basic optio:<password>``, set through
the DevTools protocol. The terminal's text is read from xterm.js' buffer (``window.term``);
each step can be kept as a screenshot. Selenium is synchronous: callers run it in a thread.
"""

from __future__ import annotations

import base64
import os
import shutil
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

_BUFFER_TEXT = """
const b = window.term && window.term.buffer.active;
if (!b) return "";
const out = [];
for (let i = 0; i < b.length; i++) { out.push(b.getLine(i).translateToString(true)); }
return out.join("\\n");
"""


def why_no_browser() -> str | None:
    """None when chromium and its driver can run here, else why not (for a skip)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        return f"{' and '.join(missing)} missing: scripts/setup installs chromium chromium-driver"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


class Browser:
    def __init__(self, scratch: Path, artifacts: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.artifacts = artifacts
        artifacts.mkdir(parents=True, exist_ok=True)
        home, tmp = scratch / "home", scratch / "tmp"
        home.mkdir(parents=True, exist_ok=True)
        tmp.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--window-size=1200,800"):
            options.add_argument(arg)
        options.add_argument(f"--user-data-dir={scratch / 'profile'}")
        # Chromium's scratch files (org.chromium.*, ~/.config/chromium) go to the scratch dir.
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp)}
        service = Service(CHROMEDRIVER, env=env)
        self.driver = webdriver.Chrome(service=service, options=options)
        self.steps = 0

    def open(self, url: str, password: str) -> None:
        token = base64.b64encode(f"optio:{password}".encode()).decode()
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}}
        )
        self.driver.get(url)

    def text(self) -> str:
        return str(self.driver.execute_script(_BUFFER_TEXT))

    def wait_for(self, needle: str, within: float = 30.0) -> str:
        deadline = time.monotonic() + within
        while True:
            seen = self.text()
            if needle in seen:
                return seen
            if time.monotonic() > deadline:
                self.screenshot(f"missing-{needle[:20]}")
                raise AssertionError(f"{needle!r} never appeared; the terminal shows:\n{seen}")
            time.sleep(0.1)

    def type(self, keys: str) -> None:
        """Keystrokes into the terminal, as a person types them."""
        from selenium.webdriver.common.by import By

        box = self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        box.send_keys(keys)

    def screenshot(self, name: str) -> Path:
        self.steps += 1
        path = self.artifacts / f"{self.steps:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def script(self, source: str, *args: Any) -> Any:
        return self.driver.execute_script(source, *args)

    def quit(self, scratch: Path) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
