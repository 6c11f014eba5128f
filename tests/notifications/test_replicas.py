"""Two real server processes sharing Redis: an event handled by A reaches a socket held by B."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lms import migrate
from lms.config import Settings
from lms.core.runtime import build_runtime
from tests.factories import create_user
from tests.notifications.helpers import free_port, recv_json
from tests.notifications.test_websocket import open_socket, token_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def replica_env(tmp_path: Path, jwt_key_file: Path, redis_url: str) -> dict[str, str]:
    db = tmp_path / "shared.db"
    migrate.upgrade(f"sqlite:///{db}")
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_ENVIRONMENT": "test",
        "LMS_DATABASE_URL": f"sqlite:///{db}",
        "LMS_REDIS_URL": redis_url,
        "LMS_REDIS_PREFIX": f"lms-test:{uuid.uuid4().hex[:12]}:",
        "LMS_JWT_PRIVATE_KEY_FILE": str(jwt_key_file),
        "LMS_DATA_DIR": str(tmp_path / "data"),
        "LMS_RELAY_POLL_SECONDS": "0.2",
        "LMS_LOG_LEVEL": "WARNING",
        "LMS_RATE_LIMIT_ENABLED": "false",
    }


def _spawn(env: dict[str, str], *, relay: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "tests.notifications.replica_app:app"]
    proc = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**env, "LMS_RUN_RELAY_IN_PROCESS": "true" if relay else "false"},
    )
    return proc, f"http://127.0.0.1:{port}"


def _wait_ready(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"replica exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("replica did not start")


@pytest.fixture
def replicas(replica_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    # A runs the relay and the consumers; B only holds sockets. Both start at once (imports are slow).
    (a, base_a), (b, base_b) = _spawn(replica_env, relay=True), _spawn(replica_env, relay=False)
    try:
        _wait_ready(a, base_a)
        _wait_ready(b, base_b)
        yield base_a, base_b
    finally:
        for proc in (a, b):
            proc.terminate()
        for proc in (a, b):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


async def test_event_handled_by_one_replica_reaches_a_socket_on_another(
    replica_env: dict[str, str], replicas: tuple[str, str]
) -> None:
    base_a, base_b = replicas
    settings = Settings(
        database_url=replica_env["LMS_DATABASE_URL"],
        data_dir=Path(replica_env["LMS_DATA_DIR"]),
        jwt_private_key_file=Path(replica_env["LMS_JWT_PRIVATE_KEY_FILE"]),
        bcrypt_rounds=4,
    )
    rt = build_runtime(settings)
    try:
        alice, bob = await create_user(rt), await create_user(rt)
        ws_b = base_b.replace("http://", "ws://") + "/api/v1/ws"
        socket_b, _ = await open_socket(ws_b, token_for(rt, alice.user))
        bobs_b, _ = await open_socket(ws_b, token_for(rt, bob.user))
        async with httpx.AsyncClient(base_url=base_a) as http:
            resp = await http.post(
                "/test/events",
                json={"type": "course.completed", "data": {"user_id": alice.user.id, "course_id": "c1"}},
            )
            assert resp.status_code == 200, resp.text
        frame = await recv_json(socket_b, timeout=15)
        assert frame["type"] == "notification"
        assert frame["notification"]["kind"] == "course_completed"
        assert frame["unread_count"] == 1
        # Stored once, by A, and visible through B's API too.
        async with httpx.AsyncClient(base_url=base_b) as http:
            listed = await http.get(
                "/api/v1/notifications", headers={"Authorization": f"Bearer {token_for(rt, alice.user)}"}
            )
        assert listed.json()["total"] == 1
        await bobs_b.send('{"type": "ping"}')
        assert await recv_json(bobs_b) == {"type": "pong"}
        await asyncio.gather(socket_b.close(), bobs_b.close())
    finally:
        await rt.close()
