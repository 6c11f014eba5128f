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


def test_seed_demo_at_a_scale_loads_a_keyed_catalog(tmp_path: Path) -> None:
    """``--scale 0.01``: a hundredth of the benchmark catalog, every course with the key its title sorts by."""
    assert _run(["migrate"], tmp_path).returncode == 0
    seeded = _run(["seed-demo", "--scale", "0.01"], tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "100 courses in the catalog" in seeded.stderr  # the console (rich) writes to stderr
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        titles = conn.execute("select title, title_key from courses where status = 'published'").fetchall()
        assert len(titles) == 100
        assert all(key == title.lower() for title, key in titles)  # the generator's titles are plain words
        assert conn.execute("select count(*) from users").fetchone()[0] >= 1000
        assert conn.execute("select count(*) from course_search").fetchone()[0] == 100
    again = _run(["seed-demo", "--scale", "0.01"], tmp_path)
    assert again.returncode == 0 and "already loaded" in again.stderr
