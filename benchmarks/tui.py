"""The terminal UI's keystroke-to-echo latency: the browser page and its SSH bridge against a
plain ``ssh -tt`` running ``tmux attach``, in the same run, on the same tmux session.

One codex TUI (the pinned codex, ``--no-daemon``, against the scripted model) runs in tmux on
this machine, which is also the SSH host: a real sshd on loopback, behind a TCP relay that adds
``--latency`` milliseconds (0 and 50 by default) to the data crossing it. Two ways to type
into codex's composer are timed, one after the other, in alternating rounds:

* ``page``: headless chromium (Selenium, Debian's chromedriver) opens the package's own page
  (optio_codex/tui/static/index.html) served by the package's own listener
  (:class:`~optio_codex.tui.web.TerminalApp`), whose WebSocket drives a tmux client in a pty
  of an asyncssh connection through the relay (:class:`~optio_codex.tui.terminal.SshPty`), as
  a task does. A script in the page types a letter through xterm.js (``term.input``: what a
  keypress does) and stamps ``performance.now()``; the echo is the moment xterm.js has parsed
  the composer line showing it (``onWriteParsed``). Then a backspace, untimed.
* ``ssh``: OpenSSH's ``ssh -tt`` through the same relay, in a local pty, running ``tmux -u
  attach``; a letter is written to the pty and the echo is the first output chunk holding it.

Reported: p50 and p99 of each path per latency, and their ratio. The last line is
``RESULT echo_p99_ms_0=<page p99 at 0 ms> echo_p99_ms_50=<page p99 at 50 ms>
vs_ssh_tt=<page p99 / ssh p99 at the highest latency>`` (target: at most 1.2). Run it as
``.venv/bin/python benchmarks/tui.py``; needs chromium, chromedriver, tmux and ssh.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import shutil
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from optio_codex.binary import pinned_codex_path  # noqa: E402
from optio_codex.hosts.launch import app_server_env  # noqa: E402
from optio_codex.hosts.ssh import SSHTarget, connect_ssh  # noqa: E402
from optio_codex.testing.codex_home import write_test_codex_home  # noqa: E402
from optio_codex.testing.model_server import ScriptedModelServer  # noqa: E402
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo  # noqa: E402
from optio_codex.tui.terminal import SshPty  # noqa: E402
from optio_codex.tui.web import TerminalApp  # noqa: E402
from tests.support.browser import Browser, why_no_browser  # noqa: E402

LETTERS = "xzqjvw"  # letters no escape sequence of tmux's redraws ends with
TARGET_RATIO = 1.2

# Runs in the page: n letters typed through xterm.js, each timed to its echo in the buffer.
_MEASURE_JS = """
const [n, letters, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const t = window.term;
const line = () => {
  const b = t.buffer.active;
  return b.getLine(b.baseY + b.cursorY).translateToString(true).trimEnd();
};
const waitFor = (test) => new Promise((resolve) => {
  if (test()) { resolve(performance.now()); return; }
  const sub = t.onWriteParsed(() => { if (test()) { sub.dispose(); resolve(performance.now()); } });
});
(async () => {
  const out = [];
  for (let i = 0; i < n; i++) {
    const ch = letters[i % letters.length];
    const start = performance.now();
    t.input(ch, true);
    const end = await waitFor(() => line().endsWith("\\u203a " + ch));
    out.push(end - start);
    t.input("\\x7f", true);
    await waitFor(() => !line().endsWith("\\u203a " + ch));
    await new Promise((r) => setTimeout(r, 20));
  }
  done(out);
})();
"""


_RELAY_CHILD = """
import asyncio, sys
from optio_codex.testing.relay import TcpRelay
async def main():
    async with TcpRelay(sys.argv[1], int(sys.argv[2]), latency_ms=float(sys.argv[3])) as relay:
        print(relay.port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(main())
"""


class ChildRelay:
    """The relay in a process of its own, as the network is outside the engine's."""

    def __init__(self, host: str, port: int, latency_ms: float) -> None:
        self.args = [host, str(port), str(latency_ms)]
        self.port = 0
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> ChildRelay:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _RELAY_CHILD,
            *self.args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=str(ROOT),
        )
        assert self.process.stdout is not None
        self.port = int((await self.process.stdout.readline()).decode())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.close()
        await self.process.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def start_codex(work: Path, model: ScriptedModelServer) -> tuple[str, str]:
    """codex's TUI in tmux on this machine; returns (socket, workspace)."""
    home, workspace, tmp = work / "home", work / "ws", work / "tmp"
    for d in (home, workspace, tmp):
        d.mkdir(parents=True)
    extra = {"disable_paste_burst": True, "projects": {str(workspace): {"trust_level": "trusted"}}}
    extra["tui"] = {"show_tooltips": False, "screen_reader_detection_done": True}
    write_test_codex_home(home / ".codex", model.base_url, extra=extra)
    env = app_server_env(home=str(home), codex_home=str(home / ".codex"), tmpdir=str(tmp))
    env.pop("NO_COLOR")
    env["TERM"] = "xterm-256color"
    sock = str(work / "tmux.sock")
    conf = work / "tmux.conf"
    conf.write_text("set -g status off\nset -s escape-time 0\nset -g window-size latest\n")
    argv = ["tmux", "-S", sock, "-f", str(conf), "new-session", "-d", "-s", "codex"]
    argv += ["-x", "120", "-y", "40", "-c", str(workspace), str(pinned_codex_path()), "--no-daemon"]
    process = await asyncio.create_subprocess_exec(
        "env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv
    )
    await process.wait()
    for _ in range(150):  # the composer's prompt: codex takes input
        shown = await asyncio.create_subprocess_exec(
            "tmux", "-S", sock, "capture-pane", "-p", "-t", "codex", stdout=asyncio.subprocess.PIPE
        )
        out, _ = await shown.communicate()
        if "\u203a" in out.decode(errors="replace"):
            return sock, str(workspace)
        await asyncio.sleep(0.1)
    raise RuntimeError("codex's TUI did not start")


async def ssh_round(
    info: SshdInfo, relay: ChildRelay, known: Path, sock: str, n: int, size: tuple[int, int]
) -> list[float]:
    """``ssh -tt … tmux attach`` in a local pty: write a letter, time its echo."""
    argv = ["ssh", "-tt", "-p", str(relay.port), "-i", str(info.client_key_path)]
    argv += ["-o", f"UserKnownHostsFile={known}", "-o", "StrictHostKeyChecking=yes"]
    argv += ["-o", "BatchMode=yes", f"{info.username}@{info.host}"]
    argv += [f"exec tmux -u -S {sock} attach-session -t codex"]
    master, slave = pty.openpty()
    # The page's size: codex redraws the same screen for both (tmux's window-size latest).
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    os.set_blocking(master, False)
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    loop.add_reader(master, lambda: chunks.put_nowait(os.read(master, 65536)))

    async def until(test: Any) -> float:
        while True:
            data = await chunks.get()
            if test(data):
                return time.monotonic()

    try:
        await asyncio.sleep(1.0)  # attached and drawn
        while not chunks.empty():
            chunks.get_nowait()
        out = []
        for i in range(n):
            ch = LETTERS[i % len(LETTERS)].encode()
            start = time.monotonic()
            os.write(master, ch)
            out.append((await until(lambda d, c=ch: c in d)) - start)
            os.write(master, b"\x7f")
            await asyncio.sleep(0.1)
            while not chunks.empty():
                chunks.get_nowait()
        return [s * 1000 for s in out]
    finally:
        loop.remove_reader(master)
        os.close(master)
        process.terminate()
        await process.wait()


async def page_round(browser: Browser, n: int) -> list[float]:
    result = await asyncio.to_thread(browser.driver.execute_async_script, _MEASURE_JS, n, LETTERS)
    return [float(v) for v in result]


async def serve_page(info: SshdInfo, relay: ChildRelay, known: Path, sock: str) -> tuple[str, Any]:
    target = SSHTarget(
        host=info.host,
        port=relay.port,
        username=info.username,
        client_keys=(info.client_key_path,),
        known_hosts=known,
    )
    conn = await connect_ssh(target)
    command = f"exec tmux -u -S {sock} attach-session -t codex"

    async def open_pty(cols: int, rows: int) -> SshPty:
        return await SshPty.open(conn, command, cols, rows)

    async def running() -> bool:
        return True

    async def nothing(_: str) -> None:
        return None

    app = TerminalApp("bench", open_pty, running, nothing, nothing)
    runner = web.AppRunner(app.build(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}/", (runner, conn)


async def main(args: argparse.Namespace) -> None:  # Long: one measured sequence, in order
    reason = why_no_browser()
    if reason or not shutil.which("ssh") or not shutil.which("tmux"):
        sys.exit(f"needs chromium, chromedriver, selenium, ssh and tmux: {reason or ''}")
    work = Path(tempfile.mkdtemp(prefix="oc-tui-", dir="/var/tmp"))
    sshd = LoopbackSshd(work / "sshd")
    info = await sshd.start()
    browser = Browser(work / "chromium", work / "shots")
    results: dict[int, dict[str, list[float]]] = {}
    try:
        async with ScriptedModelServer() as model:
            sock, _ = await start_codex(work / "codex", model)
            for latency in args.latency:
                async with ChildRelay(info.host, info.port, latency) as relay:
                    known = work / f"known_hosts-{relay.port}"
                    known.write_text(f"[{info.host}]:{relay.port} {info.host_public_key}\n")
                    url, (runner, conn) = await serve_page(info, relay, known, sock)
                    await asyncio.to_thread(browser.open, url, "bench")
                    await asyncio.to_thread(browser.wait_for, "\u203a")
                    got: dict[str, list[float]] = {"page": [], "ssh": []}
                    cols, rows = browser.script("return [term.cols, term.rows]")
                    await page_round(browser, 5)  # warm-up
                    for _ in range(args.rounds):
                        got["ssh"] += await ssh_round(
                            info, relay, known, sock, args.keys, (cols, rows)
                        )
                        got["page"] += await page_round(browser, args.keys)
                    results[latency] = got
                    await asyncio.to_thread(browser.driver.get, "about:blank")
                    await runner.cleanup()
                    conn.close()
            await asyncio.create_subprocess_exec("tmux", "-S", sock, "kill-server")
    finally:
        browser.quit(work / "chromium")
        await sshd.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'latency':>8} {'path':>5} {'p50 ms':>8} {'p99 ms':>8} {'n':>5}")
    for latency, got in results.items():
        for path in ("page", "ssh"):
            values = got[path]
            p50, p99 = statistics.median(values), percentile(values, 0.99)
            print(f"{latency:>8g} {path:>5} {p50:>8.2f} {p99:>8.2f} {len(values):>5}")
        ratio = percentile(got["page"], 0.99) / percentile(got["ssh"], 0.99)
        print(f"{latency:>8g} page p99 / ssh p99 = {ratio:.2f}")
    low, high = min(results), max(results)
    vs = percentile(results[high]["page"], 0.99) / percentile(results[high]["ssh"], 0.99)
    print(
        f"RESULT echo_p99_ms_0={percentile(results[low]['page'], 0.99):.2f} "
        f"echo_p99_ms_50={percentile(results[high]['page'], 0.99):.2f} vs_ssh_tt={vs:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per latency")
    parser.add_argument("--keys", type=int, default=25, help="letters typed per round and path")
    asyncio.run(main(parser.parse_args()))
