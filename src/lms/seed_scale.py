"""`lms seed-demo --scale N`: a large, realistic catalog for benchmarks.

N=1 means 10,000 courses, 100,000 users and 1,000,000 lesson-progress rows (plus the enrollments they
belong to, sections, lessons, instructors), written with bulk inserts in chunks, then the search index.
Deterministic (seeded random), so two runs at the same scale produce the same catalog.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from lms.config import Settings
from lms.core import statistics
from lms.core.db import utcnow
from lms.core.ids import new_id
from lms.core.markdown import render_markdown
from lms.core.passwords import hash_password
from lms.core.runtime import build_runtime
from lms.courses.models import Category, Course, CourseInstructor, Lesson, Section
from lms.courses.service import slugify
from lms.enrollments.models import Enrollment
from lms.progress.models import LessonProgress
from lms.search import service as search_service
from lms.users.models import User

CHUNK = 5000
PASSWORD = "Bench@Scale2026"
EMAIL_DOMAIN = "scale.bench.jntugv.edu.in"

CATEGORIES = [
    ("Computer Science", ["algorithms", "data structures", "operating systems", "compilers", "databases"]),
    ("Data Science", ["machine learning", "statistics", "deep learning", "data visualization", "pandas"]),
    ("Electronics", ["digital electronics", "signals", "microcontrollers", "embedded systems", "vlsi design"]),
    ("Electrical Engineering", ["power systems", "electrical machines", "control systems", "circuit analysis"]),
    ("Mechanical Engineering", ["thermodynamics", "fluid mechanics", "machine design", "manufacturing"]),
    ("Civil Engineering", ["structural analysis", "surveying", "concrete technology", "geotechnics"]),
    ("Mathematics", ["linear algebra", "calculus", "probability", "discrete mathematics", "numerical methods"]),
    ("Physics", ["quantum mechanics", "optics", "electromagnetism", "solid state physics"]),
    ("Management", ["project management", "entrepreneurship", "accounting", "marketing", "economics"]),
    ("Languages", ["english communication", "technical writing", "telugu literature", "hindi grammar"]),
    ("Web Development", ["javascript", "react", "web security", "cloud computing", "devops"]),
    ("Programming", ["python", "java", "rust", "golang", "c programming", "kotlin"]),
]
PREFIXES = ["Introduction to", "Applied", "Advanced", "Practical", "Foundations of", "Mastering", "Essentials of"]
SUFFIXES = ["", "for Beginners", "for Engineers", "with Projects", "in Practice", "Bootcamp", "Masterclass"]
LESSON_WORDS = [
    "overview", "fundamentals", "worked examples", "case study", "lab session", "problem solving", "revision",
    "assignment walkthrough", "theory", "applications", "design patterns", "performance", "debugging",
    "best practices", "interview questions", "mini project", "quiz review", "history", "tooling", "testing",
]  # fmt: skip
SENTENCES = [
    "This course covers {topic} from first principles to real-world applications.",
    "You will build hands-on projects and solve problems in {topic} step by step.",
    "Designed for university students preparing for examinations and interviews.",
    "Each unit combines short video lectures, readings and practice exercises.",
    "We connect {topic} with {other} so that concepts stick.",
    "By the end you can explain, analyse and apply {topic} with confidence.",
    "Includes downloadable notes, solved previous papers and weekly assessments.",
]
FIRST = ["Ravi", "Lakshmi", "Sai", "Priya", "Kiran", "Anil", "Sunita", "Venkat", "Divya", "Harsha", "Meena", "Arjun"]
LAST = ["Rao", "Reddy", "Varma", "Naidu", "Sharma", "Kumar", "Devi", "Prasad", "Murthy", "Chowdary", "Iyer"]
LEVELS = ["beginner", "intermediate", "advanced", "all_levels"]
LANGUAGES = ["en"] * 8 + ["te", "hi"]


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _bulk(conn: AsyncConnection, table: Any, rows: list[dict[str, Any]], progress: Progress, task: Any) -> None:
    for chunk in _chunks(rows):
        await conn.execute(insert(table), chunk)
        progress.advance(task, len(chunk))


async def seed_scale(settings: Settings, *, scale: float, console: Console) -> None:
    """Generate the benchmark catalog (refuses to run twice on the same database)."""
    rng = random.Random(20261125)
    n_courses, n_users, n_progress = int(10_000 * scale), int(100_000 * scale), int(1_000_000 * scale)
    rt = build_runtime(settings)
    try:
        async with rt.engine.connect() as conn:
            if await conn.scalar(select(User.id).where(User.email == f"user0@{EMAIL_DOMAIN}")):
                console.print("[yellow]The scale data set is already loaded; nothing to do.[/yellow]")
                return
            has_progress = await conn.run_sync(lambda c: inspect(c).has_table(LessonProgress.__tablename__))
        password_hash = await hash_password(PASSWORD, settings.bcrypt_rounds)
        now = utcnow()
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=console) as progress:
            # Users: 1% instructors.
            n_instructors = max(1, n_users // 100)
            user_ids = [new_id() for _ in range(n_users)]
            users = [
                {
                    "id": uid,
                    "email": f"user{i}@{EMAIL_DOMAIN}",
                    "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "password_hash": password_hash,
                    "role": "instructor" if i < n_instructors else "student",
                    "is_active": True,
                    "email_verified_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, uid in enumerate(user_ids)
            ]
            instructor_ids, student_ids = user_ids[:n_instructors], user_ids[n_instructors:]
            async with rt.engine.begin() as conn:
                await _bulk(conn, User, users, progress, progress.add_task("users", total=len(users)))
            del users

            # Categories (reused when they exist).
            async with rt.engine.begin() as conn:
                existing = dict((await conn.execute(select(Category.slug, Category.id))).all())
                new_categories: list[dict[str, Any]] = [
                    {"id": new_id(), "name": name, "slug": slugify(name), "description": "", "position": i}
                    | {"created_at": now, "updated_at": now}
                    for i, (name, _) in enumerate(CATEGORIES)
                    if slugify(name) not in existing
                ]
                if new_categories:
                    await conn.execute(insert(Category), new_categories)
                existing |= {c["slug"]: c["id"] for c in new_categories}
            category_ids = [existing[slugify(name)] for name, _ in CATEGORIES]

            # Enrollments first, so the courses carry their enrollment counts.
            per_enrollment = 5
            n_enrollments = n_progress // per_enrollment if has_progress else n_users
            enrolled: set[tuple[int, int]] = set()
            while len(enrolled) < n_enrollments:
                # Popularity is skewed: a few courses get many students.
                skewed = min(n_courses - 1, int(rng.paretovariate(1.1)) - 1)
                course_index = rng.randrange(n_courses) if rng.random() < 0.7 else skewed
                enrolled.add((rng.randrange(len(student_ids)), course_index))
            counts = [0] * n_courses
            for _, ci in enrolled:
                counts[ci] += 1

            # Courses, instructors, sections, lessons.
            course_ids = [new_id() for _ in range(n_courses)]
            courses: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            sections: list[dict[str, Any]] = []
            lessons: list[dict[str, Any]] = []
            lesson_ids: list[list[str]] = []
            for i, cid in enumerate(course_ids):
                c_index = rng.randrange(len(CATEGORIES))
                topics = CATEGORIES[c_index][1]
                topic, other = rng.choice(topics), rng.choice(topics)
                title = f"{rng.choice(PREFIXES)} {topic.title()} {rng.choice(SUFFIXES)}".strip()
                description = " ".join(s.format(topic=topic, other=other) for s in rng.sample(SENTENCES, 3))
                rating_count = rng.randint(0, max(0, counts[i] // 3))
                rating_sum = sum(rng.randint(3, 5) for _ in range(min(rating_count, 50))) * max(1, rating_count // 50)
                rating_sum = min(rating_sum, rating_count * 5) if rating_count else 0
                published = rng.random() < 0.95 or counts[i] > 0
                published_at = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)) if published else None
                course_lessons: list[str] = []
                n_sections = rng.randint(2, 4)
                duration = 0
                for s in range(n_sections):
                    sid = new_id()
                    sections.append(
                        {"id": sid, "course_id": cid, "title": f"Unit {s + 1}: {rng.choice(LESSON_WORDS).title()}"}
                        | {"position": s, "created_at": now, "updated_at": now}
                    )
                    for p in range(rng.randint(3, 5)):
                        lid = new_id()
                        seconds = rng.randint(300, 1800)
                        duration += seconds
                        course_lessons.append(lid)
                        lesson_title = f"{topic.title()} {rng.choice(LESSON_WORDS)}"
                        lessons.append(
                            {
                                "id": lid,
                                "section_id": sid,
                                "course_id": cid,
                                "title": lesson_title,
                                "kind": "video" if p % 3 else "text",
                                "content": "",
                                "content_html": "",
                                "video_url": "https://videos.example.edu/lecture.mp4" if p % 3 else None,
                                "file_url": None,
                                "link_url": None,
                                "is_preview": p == 0 and s == 0,
                                "is_required": True,
                                "duration_seconds": seconds,
                                "position": p,
                                "created_at": now,
                                "updated_at": now,
                            }
                        )
                lesson_ids.append(course_lessons)
                price = 0 if rng.random() < 0.4 else rng.choice([19900, 29900, 49900, 99900, 149900, 299900])
                courses.append(
                    {
                        "id": cid,
                        "title": title,
                        "slug": f"{slugify(title, max_length=100)}-{i}",
                        "subtitle": f"Learn {topic} with {other}",
                        "description": description,
                        "description_html": render_markdown(description),
                        "category_id": category_ids[c_index],
                        "level": rng.choice(LEVELS),
                        "language": rng.choice(LANGUAGES),
                        "tags": rng.sample([t.replace(" ", "-") for t in topics], 2),
                        "thumbnail_url": None,
                        "price_amount": price,
                        "price_currency": "INR",
                        "status": "published" if published else "draft",
                        "capacity": None,
                        "enrollment_opens_at": None,
                        "enrollment_closes_at": None,
                        "published_at": published_at,
                        "created_by_id": None,
                        "enrollment_count": counts[i],
                        "rating_count": rating_count,
                        "rating_sum": rating_sum,
                        "rating_average": round(rating_sum * 100 / rating_count) if rating_count else 0,
                        "lesson_count": len(course_lessons),
                        "duration_seconds": duration,
                        "created_at": published_at or now,
                        "updated_at": now,
                    }
                )
                teachers = rng.sample(instructor_ids, min(len(instructor_ids), rng.choice([1, 1, 2])))
                for position, uid in enumerate(teachers):
                    links.append({"course_id": cid, "user_id": uid, "position": position})
            async with rt.engine.begin() as conn:
                await _bulk(conn, Course, courses, progress, progress.add_task("courses", total=len(courses)))
                await _bulk(conn, CourseInstructor, links, progress, progress.add_task("instructors", total=len(links)))
                await _bulk(conn, Section, sections, progress, progress.add_task("sections", total=len(sections)))
                await _bulk(conn, Lesson, lessons, progress, progress.add_task("lessons", total=len(lessons)))
            del courses, links, sections, lessons

            # Enrollments and lesson progress, streamed in chunks.
            task_e = progress.add_task("enrollments", total=len(enrolled))
            task_p = progress.add_task("progress", total=n_progress if has_progress else 0)
            enrollment_rows: list[dict[str, Any]] = []
            progress_rows: list[dict[str, Any]] = []
            written = 0
            enrollment_table, progress_table = Enrollment, LessonProgress
            async with rt.engine.begin() as conn:
                for si, ci in sorted(enrolled):
                    course_lessons = lesson_ids[ci]
                    done = rng.sample(course_lessons, min(per_enrollment, len(course_lessons)))
                    at = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                    enrollment_rows.append(
                        {
                            "id": new_id(),
                            "user_id": student_ids[si],
                            "course_id": course_ids[ci],
                            "status": "active",
                            "source": "free",
                            "order_id": None,
                            "enrolled_at": at,
                            "ended_at": None,
                            "end_reason": None,
                            "progress_percent": round(100 * len(done) / len(course_lessons)),
                            "completed_at": None,
                            "last_lesson_id": done[-1],
                            "last_accessed_at": at,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                    if has_progress and written < n_progress:
                        for lid in done:
                            progress_rows.append(
                                {
                                    "id": new_id(),
                                    "user_id": student_ids[si],
                                    "lesson_id": lid,
                                    "course_id": course_ids[ci],
                                    "completed_at": at,
                                    "position_seconds": 0,
                                    "created_at": at,
                                    "updated_at": at,
                                }
                            )
                        written += len(done)
                    if len(enrollment_rows) >= CHUNK:
                        await _bulk(conn, enrollment_table, enrollment_rows, progress, task_e)
                        enrollment_rows = []
                    if len(progress_rows) >= CHUNK:
                        await _bulk(conn, progress_table, progress_rows, progress, task_p)
                        progress_rows = []
                await _bulk(conn, enrollment_table, enrollment_rows, progress, task_e)
                await _bulk(conn, progress_table, progress_rows, progress, task_p)

            task_s = progress.add_task("search index", total=n_courses)
            await search_service.reindex(
                rt.sessionmaker, on_progress=lambda done, total: progress.update(task_s, completed=done, total=total)
            )
        with console.status("Refreshing the database's planner statistics (ANALYZE)..."):
            await statistics.analyze(rt.engine, mysql_too=True)
        async with rt.engine.connect() as conn:
            total = await conn.scalar(select(func.count(Course.id)))
        console.print(f"[green]Scale data loaded: {total} courses in the catalog.[/green] Password: {PASSWORD}")
    finally:
        await rt.close()
