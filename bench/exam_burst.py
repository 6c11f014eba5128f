"""Exam burst: 1,000 students start a 20-question quiz, autosave twice and submit within a minute,
against one `lms serve` process on MariaDB. Reports p50/p95/p99 per step beside the /healthz baseline,
and checks that every attempt was graded exactly once. Run by hand:

    LMS_BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python bench/exam_burst.py [--students 1000]
        [--pattern open --ramp 20 --think 5 12 | --pattern closed --concurrency 64]

The default is an open workload, like a class sitting an exam: each student starts at a random moment of the
first 20 s and thinks 5-12 s before each autosave and before submitting, so every request is sent on schedule
whatever the server's latency, and the exam is over within about a minute. `--pattern closed` keeps N students
in flight back to back (a stress test; its latency is mostly queueing). The report gives the peak and mean
number of requests in flight, and how late the load generator itself sent them.

A scratch database is created (and dropped afterwards), like tests/conftest.py does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from harness import Stats, append_results, measure, report, server  # bench/ is on sys.path when run as a script
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from lms import migrate
from lms.config import Settings, to_async_url
from lms.core.db import unit_of_work
from lms.core.events import OutboxEvent
from lms.core.passwords import hash_password_sync
from lms.core.runtime import build_runtime
from lms.courses import service as courses_service
from lms.enrollments import service as enrollments_service
from lms.main import register_consumers
from lms.quizzes import service as quizzes_service
from lms.quizzes.models import Attempt
from lms.users import service as users_service
from lms.users.models import Role


async def _admin_sql(url: str, statements: list[str]) -> None:
    engine = create_async_engine(to_async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for stmt in statements:
                await conn.execute(text(stmt))
    finally:
        await engine.dispose()


def _replace_db(url: str, name: str) -> str:
    return f"{url.rpartition('/')[0]}/{name}"


def questions() -> list[dict[str, Any]]:
    """20 auto-graded questions of every kind (no essay, so every attempt is graded at submission)."""
    out: list[dict[str, Any]] = []
    for n in range(20):
        kind = ("single", "multiple", "true_false", "short", "numeric")[n % 5]
        q: dict[str, Any] = {"kind": kind, "title": f"Q{n + 1}", "stem": f"Question **{n + 1}**", "points": 1}
        if kind == "single":
            q["options"] = [{"text": f"option {k}", "correct": k == 0} for k in range(4)]
        elif kind == "multiple":
            q["options"] = [{"text": f"option {k}", "correct": k < 2} for k in range(5)]
            q["partial_credit"] = True
        elif kind == "true_false":
            q["correct"] = True
        elif kind == "short":
            q["accepted_answers"] = ["binary search", "bisection"]
        else:
            q["value"], q["tolerance"] = 42.0, 0.5
        out.append(q)
    return out


def answer(question: dict[str, Any]) -> Any:
    """A plausible student answer: right about 70% of the time."""
    right = random.random() < 0.7
    options = [o["id"] for o in question["options"]]
    kind = question["kind"]
    if kind == "single":
        return random.choice(options)
    if kind == "multiple":
        return random.sample(options, 2)
    if kind == "true_false":
        return right
    if kind == "short":
        return "Binary  Search" if right else "linear search"
    return 42.2 if right else 17


async def prepare(settings: Settings, students: int) -> tuple[str, list[str]]:
    """Instructor, a published course with a required 20-question quiz, enrolled students and their tokens."""
    rt = build_runtime(settings)
    register_consumers(rt.bus)
    password_hash = hash_password_sync("Bench-Password-1", 4)
    async with unit_of_work(rt.sessionmaker) as session:
        teacher = await users_service.create(
            session, email="teacher@bench.test", full_name="Prof. Bench", role=Role.INSTRUCTOR,
            password_hash=password_hash, verified=True,
        )  # fmt: skip
        course = await courses_service.create_course(
            session, actor=teacher, data={"title": "Exam burst", "description": "Bench", "instructor_ids": [teacher.id]}
        )
        section = await courses_service.add_section(session, course_id=course.id, actor=teacher, title="Unit 1")
        await courses_service.add_lesson(
            session, section_id=section.id, actor=teacher, data={"title": "Reading", "kind": "text", "content": "Read."}
        )
        quiz = await quizzes_service.create_quiz(
            session,
            actor=teacher,
            course_id=course.id,
            data={"title": "Mid-term", "section_id": section.id, "time_limit_seconds": 1800, "attempts_allowed": 1,
                  "passing_percent": 60, "shuffle_questions": True, "shuffle_options": True},
        )  # fmt: skip
        await quizzes_service.create_questions(
            session, actor=teacher, course_id=course.id, items=questions(), quiz_id=quiz.id, settings=settings
        )
        await courses_service.publish_course(session, course_id=course.id, actor=teacher)
    tokens: list[str] = []
    for start in range(0, students, 250):
        async with unit_of_work(rt.sessionmaker) as session:
            for n in range(start, min(students, start + 250)):
                user = await users_service.create(
                    session, email=f"s{n}@bench.test", full_name=f"Student {n}", role=Role.STUDENT,
                    password_hash=password_hash, verified=True,
                )  # fmt: skip
                await enrollments_service.enroll(session, user=user, course_id=course.id)
                tokens.append(rt.signer.issue(user_id=user.id, email=user.email, role=user.role, session_id=None)[0])
    await rt.relay.drain()  # enrollment events handled before the burst
    await rt.close()
    return quiz.id, tokens


@dataclass
class Pattern:
    """How the students arrive. ``open``: each student starts at a random moment of the first ``ramp``
    seconds, thinks ``think`` seconds before each autosave and before submitting, and the whole exam fits in
    about a minute; requests are sent on schedule, whatever the server's latency (an open workload, as a
    class taking an exam). ``closed``: ``concurrency`` students at a time, back to back, with a short think
    time (a stress test: latency there is mostly queueing)."""

    kind: str = "open"
    ramp: float = 20.0
    think: tuple[float, float] = (5.0, 12.0)
    concurrency: int = 64


class InFlight:
    """Requests in flight: the peak and the time-weighted mean (the concurrency the server really saw)."""

    def __init__(self) -> None:
        self.now = self.peak = 0
        self.area = 0.0
        self.began = self.last = time.perf_counter()

    def change(self, delta: int) -> None:
        t = time.perf_counter()
        self.area += self.now * (t - self.last)
        self.now, self.last = self.now + delta, t
        self.peak = max(self.peak, self.now)

    @property
    def mean(self) -> float:
        return self.area / max(1e-9, self.last - self.began)


async def burst(url: str, quiz_id: str, tokens: list[str], pattern: Pattern) -> tuple[dict[str, Stats], str]:
    latencies: dict[str, list[float]] = {"start": [], "autosave": [], "submit": []}
    errors = {k: 0 for k in latencies}
    inflight = InFlight()
    lag: list[float] = []
    # Idle connections are dropped by the client after 2 s, before uvicorn closes them (its keep-alive timeout
    # is 5 s). With httpx's default of 5 s both ends time out together, and a request sent on a connection the
    # server is closing fails with ReadError: the 1-2 autosave "errors" of the first runs.
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8, keepalive_expiry=2.0)
    # One small client per 20 students, like browsers with their own few connections. One big httpx pool
    # with hundreds of connections spends its time in its own bookkeeping (each request scans every connection)
    # and the load generator, not the server, sets the pace.
    clients = [httpx.AsyncClient(base_url=url, timeout=60, limits=limits) for _ in range(0, len(tokens), 20)]
    client_of = {token: clients[n % len(clients)] for n, token in enumerate(tokens)}

    async with contextlib.AsyncExitStack() as stack:
        for c in clients:
            await stack.enter_async_context(c)

        async def call(step: str, method: str, path: str, token: str, **kw: Any) -> httpx.Response | None:
            inflight.change(1)
            t0 = time.perf_counter()
            try:
                resp = await client_of[token].request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
            except httpx.HTTPError as exc:
                resp = None
                if errors[step] < 3:
                    print(step, repr(exc))
            finally:
                inflight.change(-1)
            latencies[step].append((time.perf_counter() - t0) * 1000)
            if resp is None or resp.status_code >= 300:
                errors[step] += 1
                if resp is not None and errors[step] <= 3:
                    print(step, resp.status_code, resp.text[:300])
                return None
            return resp

        async def wait_until(moment: float) -> None:
            await asyncio.sleep(max(0.0, moment - time.perf_counter()))
            lag.append(max(0.0, time.perf_counter() - moment))  # the load generator's own delay

        async def take_exam(token: str, start_at: float | None) -> None:
            if start_at is not None:
                await wait_until(start_at)
            resp = await call("start", "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token)
            if resp is None:
                return
            attempt = resp.json()
            qs = attempt["questions"]
            half = len(qs) // 2
            due = time.perf_counter()
            for part in (qs[:half], qs[half:]):
                if pattern.kind == "open":
                    due += random.uniform(*pattern.think)
                    await wait_until(due)
                else:
                    await asyncio.sleep(random.uniform(0.05, 0.3))  # a student thinking
                body = {"answers": {q["id"]: answer(q) for q in part}}
                await call("autosave", "PUT", f"/api/v1/attempts/{attempt['id']}/answers", token, json=body)
            if pattern.kind == "open":
                await wait_until(due + random.uniform(*pattern.think))
            await call("submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit", token)

        t0 = time.perf_counter()
        inflight.began = inflight.last = t0
        if pattern.kind == "open":
            await asyncio.gather(*(take_exam(tok, t0 + random.uniform(0, pattern.ramp)) for tok in tokens))
        else:
            queue = iter(tokens)

            async def student() -> None:
                for token in queue:
                    await take_exam(token, None)

            await asyncio.gather(*(student() for _ in range(pattern.concurrency)))
        seconds = time.perf_counter() - t0
    lag.sort()
    load = (
        f"requests in flight: peak {inflight.peak}, mean {inflight.mean:.1f}; "
        f"load generator lag p99 {lag[int(0.99 * (len(lag) - 1))] * 1000:.0f} ms"
        if lag
        else f"requests in flight: peak {inflight.peak}, mean {inflight.mean:.1f}"
    )
    return {k: Stats(f"exam: {k}", len(v), errors[k], seconds, v) for k, v in latencies.items()}, load


async def verify(settings: Settings, students: int) -> str:
    rt = build_runtime(settings)
    async with rt.sessionmaker() as session:
        attempts = await session.scalar(select(func.count(Attempt.id)))
        graded = await session.scalar(
            select(func.count(Attempt.id)).where(Attempt.status == "graded", Attempt.grade_count == 1)
        )
        events = await session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.type == "quiz.submitted"))
        distinct = await session.scalar(
            select(func.count(func.distinct(OutboxEvent.key))).where(OutboxEvent.type == "quiz.submitted")
        )
    await rt.close()
    ok = attempts == graded == events == distinct == students
    return (
        f"attempts={attempts}, graded exactly once={graded}, quiz.submitted events={events} "
        f"({distinct} distinct attempts): {'OK' if ok else 'MISMATCH'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument(
        "--pattern", choices=["open", "closed"], default="open", help="open: a class arriving over --ramp seconds"
    )
    parser.add_argument("--ramp", type=float, default=20.0, help="open: students start within this many seconds")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 12.0), help="open: seconds between steps")
    parser.add_argument("--concurrency", type=int, default=64, help="closed: students at a time")
    args = parser.parse_args()
    pattern = Pattern(args.pattern, args.ramp, tuple(args.think), args.concurrency)
    server_url = os.environ.get("LMS_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
    name = f"lms_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin_sql(server_url, [f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"]))
    db_url = _replace_db(server_url, name)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {"LMS_DATABASE_URL": db_url, "LMS_DATA_DIR": data_dir, "LMS_BCRYPT_ROUNDS": "4"}
            settings = Settings(database_url=db_url, data_dir=Path(data_dir), bcrypt_rounds=4)
            migrate.upgrade(db_url)
            t0 = time.perf_counter()
            quiz_id, tokens = asyncio.run(prepare(settings, args.students))
            print(f"prepared {len(tokens)} enrolled students in {time.perf_counter() - t0:.1f}s")
            with server(env) as url:

                async def run() -> tuple[Stats, tuple[dict[str, Stats], str]]:
                    async with httpx.AsyncClient(base_url=url) as c:
                        base = await measure(c, "baseline: GET /healthz", lambda i: c.get("/healthz"), total=2000)
                    return base, await burst(url, quiz_id, tokens, pattern)

                baseline, (steps, load) = asyncio.run(run())
                time.sleep(3)  # let the in-process relay finish the completion/certificate events
            check = asyncio.run(verify(settings, len(tokens)))
        seconds = steps["submit"].seconds
        if pattern.kind == "open":
            how = (
                f"starting at random within {pattern.ramp:g} s, {pattern.think[0]:g}-{pattern.think[1]:g} s "
                "of thinking before each autosave and the submission (open workload)"
            )
        else:
            how = f"{pattern.concurrency} at a time, back to back (closed workload)"
        notes = (
            f"{len(tokens)} students {how}, 20 questions each (start, 2 autosaves, submit); the whole exam took "
            f"{seconds:.1f} s on one `lms serve` process on MariaDB; {load}.\n\n{check}"
        )
        text = report(f"Exam burst ({time.strftime('%Y-%m-%d')})", [baseline, *steps.values()], notes)
        append_results(Path(__file__).with_name("README_quizzes.md"), text)
    finally:
        asyncio.run(_admin_sql(server_url, [f"DROP DATABASE IF EXISTS {name}"]))


if __name__ == "__main__":
    main()
