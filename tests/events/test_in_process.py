"""`make run`: with LMS_RUN_RELAY_IN_PROCESS the app's lifespan runs relay, consumers and jobs itself."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from lms.core.runtime import Runtime
from lms.core.scheduler import ScheduledJobRow
from tests.conftest import read_mail


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"run_relay_in_process": True, "scheduler_tick_seconds": 0.05}


async def test_emails_go_out_without_a_worker(rt: Runtime, client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/auth/register",
        json={"email": "inproc@example.edu", "password": "Correct-Horse-42", "full_name": "In Process"},
    )
    assert resp.status_code == 202

    def account_mail() -> list[Any]:
        # The scheduler's first pass also runs the daily digest job (after LMS_DIGEST_HOUR_UTC), which may
        # summarise the new account's welcome notification in a third email, depending on which ran first.
        return [m for m in read_mail(rt) if "unread notification" not in m["Subject"]]

    deadline = time.monotonic() + 60  # a wait, not a timing check
    while time.monotonic() < deadline:
        if len(account_mail()) == 2 and "emails.retry" in await ran_jobs(rt):
            break
        await asyncio.sleep(0.02)
    assert sorted("Welcome" in m["Subject"] for m in account_mail()) == [False, True]
    assert {"auth.cleanup_tokens", "events.cleanup", "emails.retry"} <= await ran_jobs(rt)


async def ran_jobs(rt: Runtime) -> set[str]:
    async with rt.sessionmaker() as session:
        return set(await session.scalars(select(ScheduledJobRow.name).where(ScheduledJobRow.last_run_at.is_not(None))))
