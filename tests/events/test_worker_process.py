"""`lms worker` as a real process: it relays, runs scheduled jobs and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from lms import migrate


def test_worker_process_relays_runs_jobs_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "lms.db"
    migrate.upgrade(f"sqlite:///{db}")
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO outbox_events (id, type, version, occurred_at, data, available_at, attempts)"
            " VALUES ('e1', 'nobody.listens', 1, '2026-01-01 00:00:00', '{}', '2026-01-01 00:00:00', 0)"
        )
    env = {
        **os.environ,
        "LMS_DATABASE_URL": f"sqlite:///{db}",
        "LMS_DATA_DIR": str(tmp_path / "data"),
        "LMS_RELAY_POLL_SECONDS": "0.1",
        "LMS_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen([sys.executable, "-m", "lms.cli", "worker"], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90  # start-up imports are slow on a busy CI machine
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            with sqlite3.connect(db) as conn:
                published = conn.execute("SELECT published_at FROM outbox_events WHERE id = 'e1'").fetchone()[0]
                jobs = {r[0] for r in conn.execute("SELECT name FROM scheduled_jobs WHERE last_run_at IS NOT NULL")}
            if published and {"auth.cleanup_tokens", "events.cleanup", "emails.retry"} <= jobs:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the worker did not relay and run its jobs")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err.decode()
    finally:
        if proc.poll() is None:
            proc.kill()
