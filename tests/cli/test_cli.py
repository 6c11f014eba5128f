"""The `lms` command on an SQLite database: migrate, create-admin, seed-demo, openapi."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

LMS = [sys.executable, "-m", "lms.cli"]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "LMS_DATA_DIR": str(tmp_path),
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "LMS_BCRYPT_ROUNDS": "4",
        **env,
    }
    return subprocess.run([*LMS, *args], capture_output=True, text=True, env=full_env, timeout=120, check=False)


def test_migrate_create_admin_and_seed_demo(tmp_path: Path) -> None:
    assert _run(["migrate"], tmp_path).returncode == 0
    weak = _run(["create-admin", "--email", "it@jntugv.edu.in", "--password", "password123"], tmp_path)
    assert weak.returncode == 1 and "commonly used" in weak.stderr
    made = _run(["create-admin", "--email", "it@jntugv.edu.in"], tmp_path, LMS_ADMIN_PASSWORD="Vizianagaram#2026")
    assert made.returncode == 0 and "Created administrator" in made.stderr
    seeded = _run(["seed-demo"], tmp_path)
    assert seeded.returncode == 0 and "student@demo.jntugv.edu.in" in seeded.stdout

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        assert conn.execute("select role from users where email='it@jntugv.edu.in'").fetchone()[0] == "admin"
        assert (
            conn.execute("select role from users where email='student@demo.jntugv.edu.in'").fetchone()[0] == "student"
        )


def test_openapi_command_prints_the_document(tmp_path: Path) -> None:
    out = _run(["openapi"], tmp_path)
    assert out.returncode == 0
    assert "/api/v1/auth/login" in json.loads(out.stdout)["paths"]


def test_payments_reconcile_command(tmp_path: Path) -> None:
    assert _run(["migrate"], tmp_path).returncode == 0
    done = _run(["payments", "reconcile", "--older-than", "0"], tmp_path)
    assert done.returncode == 0 and "checked: 0" in done.stderr
