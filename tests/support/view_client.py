"""A client that calls a task's listener exactly as the dashboard's codex view does, through
what the optio API's widget proxy would do: the upstream URL and password read from the process
document, ``Authorization: Basic optio:<password>`` on every request, EventSource semantics on
``/events`` (numbered frames, ``Last-Event-ID`` on a reconnect)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class Frame:
    seq: int
    data: dict[str, Any]


@dataclass
class ViewClient:
    url: str
    password: str
    session: aiohttp.ClientSession
    frames: list[Frame] = field(default_factory=list)
    last_id: str | None = None
    _reader: asyncio.Task[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _response: aiohttp.ClientResponse | None = None

    @classmethod
    async def from_process(
        cls, fw: Any, process_id: str, password: str | None = None
    ) -> ViewClient:
        proc = await fw.get_process(process_id) or {}
        upstream = proc.get("widgetUpstream") or {}
        auth = upstream.get("innerAuth") or {}
        assert upstream.get("url"), f"no widget upstream on {process_id}: {proc.get('status')}"
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        return cls(upstream["url"], password or auth["password"], session)

    @classmethod
    def from_document(cls, proc: dict[str, Any], password: str | None = None) -> ViewClient:
        """From a process document read straight from MongoDB (an engine in another process)."""
        upstream = proc.get("widgetUpstream") or {}
        auth = upstream.get("innerAuth") or {}
        assert upstream.get("url"), f"no widget upstream: {proc.get('status')}"
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        return cls(upstream["url"], password or auth["password"], session)

    def headers(self, **extra: str) -> dict[str, str]:
        token = base64.b64encode(f"optio:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}", **extra}

    async def post(self, route: str, body: Any) -> tuple[int, Any]:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        async with self.session.post(
            f"{self.url}/{route}",
            data=data,
            headers=self.headers(**{"Content-Type": "application/json"}),
        ) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def get(self, route: str, **params: str) -> tuple[int, bytes, dict[str, str]]:
        async with self.session.get(
            f"{self.url}/{route}", params=params, headers=self.headers()
        ) as response:
            return response.status, await response.read(), dict(response.headers)

    # -- the stream --

    async def attach(self, last_event_id: str | None = None) -> int:
        """Open /events (as EventSource does, with the last id seen on a reconnect)."""
        headers = self.headers(Accept="text/event-stream")
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        response = await self.session.get(f"{self.url}/events", headers=headers)
        self._response = response
        if response.status == 200:
            self._reader = asyncio.get_running_loop().create_task(self._read(response))
        return response.status

    async def _read(self, response: aiohttp.ClientResponse) -> None:
        seq: str | None = None
        data: list[str] = []
        try:
            async for raw in response.content:
                line = raw.decode().rstrip("\n").rstrip("\r")
                if not line:
                    if data:
                        if seq is not None:
                            self.last_id = seq
                        self.frames.append(Frame(int(self.last_id or 0), json.loads("".join(data))))
                        self._arrived.set()
                    seq, data = None, []
                elif line.startswith(":"):
                    continue
                elif line.startswith("id:"):
                    seq = line[3:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
        except (aiohttp.ClientError, asyncio.CancelledError):
            pass
        finally:
            self._arrived.set()

    async def detach(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib_suppress():
                await self._reader
        if self._response is not None:
            self._response.close()

    @property
    def stream_ended(self) -> bool:
        return self._reader is not None and self._reader.done()

    async def wait_for(
        self, matches: Callable[[dict[str, Any]], bool], *, within: float = 60.0, what: str = ""
    ) -> dict[str, Any]:
        """The first frame that ``matches`` (a bound on waiting, not a timing assertion)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            for frame in self.frames:
                if matches(frame.data):
                    return frame.data
            remaining = deadline - loop.time()
            if remaining <= 0 or self.stream_ended:
                kinds = [f.data.get("method") or f.data.get("type") for f in self.frames[-15:]]
                raise AssertionError(f"no frame {what or matches} within {within}s; last: {kinds}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass

    def events(self, method: str) -> list[dict[str, Any]]:
        return [
            f.data for f in self.frames if (f.data.get("method") or f.data.get("type")) == method
        ]

    async def close(self) -> None:
        await self.detach()
        await self.session.close()


def contextlib_suppress() -> Any:
    import contextlib

    return contextlib.suppress(BaseException)


def agent_text(frames: list[Frame]) -> str:
    """The agent's text as the view would assemble it from deltas."""
    return "".join(
        str(f.data.get("params", {}).get("delta", ""))
        for f in frames
        if f.data.get("method") == "item/agentMessage/delta"
    )
