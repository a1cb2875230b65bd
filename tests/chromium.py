"""Headless Chromium driven over the DevTools protocol on a pipe, for tests with a real browser.

``--remote-debugging-pipe`` makes Chromium read protocol messages (JSON, each ended by a NUL)
on its file descriptor 3 and write its answers on 4: no port, no websocket client, nothing
installed beyond Chromium itself (``scripts/setup --dev`` installs Debian's). A test opens a
page, evaluates JavaScript in it and waits for a condition to hold, polling with a generous
deadline (the machine is shared: never a tight margin). The browser runs with a profile of its
own, no network but what the page asks for, and is ended (its process waited for) on close.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Self

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--mute-audio", "--hide-scrollbars"]


def _above_nine(fd: int) -> int:
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class ProtocolError(Exception):
    """The browser answered a command with an error (or not at all in time)."""


class Browser:
    """One headless Chromium; :meth:`open` a page in it, :meth:`close` it (or use ``with``)."""

    def __init__(self, width: int = 1280, height: int = 900) -> None:
        assert CHROMIUM is not None, "chromium is not installed"
        self.profile = tempfile.mkdtemp(prefix="briefing-chromium-")
        commands_r, commands_w = os.pipe()  # we write, the browser reads (its fd 3)
        answers_r, answers_w = os.pipe()  # the browser writes (its fd 4), we read
        # the child's ends moved above 9, so that putting them on 3 and 4 cannot close one
        commands_r, answers_w = (_above_nine(fd) for fd in (commands_r, answers_w))
        shell = f'exec "$0" "$@" 3<&{commands_r} 4>&{answers_w} {commands_r}<&- {answers_w}>&-'
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", shell, CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(commands_r, answers_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_r)
        os.close(answers_w)
        self._out = os.fdopen(commands_w, "wb", buffering=0)
        self._in = os.fdopen(answers_r, "rb", buffering=0)
        self._next = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        pending = b""
        while True:
            chunk = self._in.read(65536)
            if not chunk:
                with self._arrived:
                    self._arrived.notify_all()
                return
            pending += chunk
            while b"\0" in pending:
                message, pending = pending.split(b"\0", 1)
                data = json.loads(message)
                if "id" in data:
                    with self._arrived:
                        self._answers[data["id"]] = data
                        self._arrived.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, timeout: float = 90.0) -> dict[str, Any]:
        """Send one protocol command and wait for its answer's ``result``."""
        with self._send_lock:
            self._next += 1
            ident = self._next
            message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
            if session is not None:
                message["sessionId"] = session
            self._out.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._arrived:
            while ident not in self._answers:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.proc.poll() is not None:
                    raise ProtocolError(f"{method}: no answer from the browser")
                self._arrived.wait(min(remaining, 1.0))
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise ProtocolError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def open(self, url: str) -> Page:
        """A new tab showing ``url``, attached to (its commands go to its session)."""
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return Page(self, session["sessionId"])

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (ProtocolError, OSError):
            pass
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(15)
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Page:
    """One tab: evaluate JavaScript in it, wait for a condition, take a screenshot."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (None while it cannot be had, as
        when the page is being reloaded)."""
        try:
            result = self.send("Runtime.evaluate", {"expression": expression,
                                                    "returnByValue": True})
        except ProtocolError:
            return None
        if "exceptionDetails" in result:
            return None
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 60.0, poll: float = 0.1) -> Any:
        """Evaluate ``expression`` until it is truthy; its value, or AssertionError with the
        page's text after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                text = self.evaluate("document.body && document.body.innerText.slice(0, 2000)")
                raise AssertionError(f"not true after {timeout} s: {expression}\n{text}")
            time.sleep(poll)

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})

    def screenshot(self, path: Path, width: int, height: int) -> None:
        """A PNG of the page laid out ``width`` px wide, its first ``height`` px."""
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1,
                                                         "mobile": width < 600})
        time.sleep(0.3)  # a layout at the new width
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
