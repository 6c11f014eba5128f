"""Shared benchmark mechanics: start a real server process, fire requests, report p50/p95/p99 and
throughput beside the same run's empty-endpoint baseline (/healthz). Run by hand, never in CI."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx


@dataclass
class Stats:
    name: str
    count: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))]

    @property
    def throughput(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"| {self.name} | {self.count} | {self.errors} | {self.pct(50):.2f} | {self.pct(95):.2f} | "
            f"{self.pct(99):.2f} | {self.throughput:.0f} |"
        )


HEADER = "| scenario | requests | errors | p50 ms | p95 ms | p99 ms | req/s |\n|---|---|---|---|---|---|---|"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(env: dict[str, str], *, workers: int = 1) -> Iterator[str]:
    """A real `lms serve` process (uvicorn, uvloop, httptools) on a free port. Its stderr goes to a file: a
    pipe nobody reads fills up (64 KiB of warnings) and then blocks the server's event loop on its next log
    line, which froze an exam run mid-way."""
    port = free_port()
    full = {**os.environ, "LMS_LOG_LEVEL": "WARNING", "LMS_RATE_LIMIT_ENABLED": "false", **env}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lms.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=full,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")[-4000:] or "server failed")
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.seek(0)
            lines = log.read().decode(errors="replace").splitlines()
            errors = [line for line in lines if '"level": "error"' in line or "Traceback" in line]
            if lines:
                head = f"server stderr: {len(lines)} lines ({len(errors)} errors), the last ones:"
                print(head, *lines[-3:], sep="\n  ")
            if errors:
                print("server errors, the first ones:", *(e[:600] for e in errors[:3]), sep="\n  ")


async def measure(
    client: httpx.AsyncClient,
    name: str,
    make_request: Callable[[int], Any],
    *,
    total: int,
    concurrency: int = 16,
    ok: Callable[[httpx.Response], bool] | None = None,
) -> Stats:
    """Run `total` requests, `concurrency` at a time. make_request(i) returns an awaitable httpx Response,
    or the status code (the aiohttp load generator, `aiohttp_get`)."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def worker() -> None:
        nonlocal errors
        for i in counter:
            t0 = time.perf_counter()
            try:
                resp = await make_request(i)
                if isinstance(resp, int):  # aiohttp_get: the status
                    good = resp < 400
                elif ok is not None:
                    good = ok(resp)
                else:
                    good = resp.status_code < 400
            except (httpx.HTTPError, aiohttp.ClientError):
                good = False
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += 0 if good else 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Stats(name, total, errors, time.perf_counter() - start, latencies)


def aiohttp_get(session: aiohttp.ClientSession) -> Callable[..., Awaitable[int]]:
    """A GET that reads the whole body and returns the status. aiohttp parses HTTP in C: against the same
    server it adds about 0.5 ms less per request than httpx's async client (the /healthz baseline's p50:
    0.5 against 1.0 ms), time that is the load generator's own and not the server's
    (bench/README_catalog.md, "Seventh session")."""

    async def get(path: str, params: dict[str, Any] | None = None) -> int:
        async with session.get(path, params=params) as resp:
            await resp.read()
            return resp.status

    return get


def report(title: str, rows: list[Stats], notes: str = "") -> str:
    lines = [f"### {title}", "", HEADER, *(r.row() for r in rows)]
    if notes:
        lines += ["", notes]
    text = "\n".join(lines) + "\n"
    print(text)
    return text


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def append_results(readme: Path, section: str) -> None:
    readme.parent.mkdir(parents=True, exist_ok=True)
    with readme.open("a") as fh:
        fh.write("\n" + section)
