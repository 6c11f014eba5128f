"""The demo catalog `make run` shows: categories, free and paid courses with content, reviews, and the
demo student part-way through a course. Built through the domain services, so every rule holds."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.config import Settings
from lms.core.passwords import hash_password
from lms.courses import service as courses_service
from lms.courses.models import Category
from lms.enrollments import service as enrollments_service
from lms.progress import service as progress_service
from lms.reviews import service as reviews_service
from lms.users import service as users_service
from lms.users.models import Role, User

SAMPLE_VIDEO = "https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4"

CATEGORIES = [
    ("Computer Science & Engineering", "Programming, algorithms, systems and data."),
    ("Electronics & Communication", "Circuits, signals and communication systems."),
    ("Mathematics", "Engineering mathematics, probability and statistics."),
    ("Mechanical & Civil Engineering", "Mechanics, materials and structures."),
    ("Humanities & Languages", "Literature, languages and communication."),
    ("Management & Soft Skills", "Communication, teamwork and entrepreneurship."),
]

# (title, subtitle, category index, level, language, price in paise or 0, tags, syllabus)
COURSES: list[tuple[str, str, int, str, str, int, list[str], list[tuple[str, list[str]]]]] = [
    ("Data Structures and Algorithms", "Arrays to graphs, with complexity analysis", 0, "intermediate", "en", 49900,
     ["dsa", "algorithms", "c"], [("Foundations", ["Asymptotic notation", "Arrays and linked lists"]),
                                  ("Trees and graphs", ["Binary search trees", "Graph traversals: BFS and DFS"])]),
    ("Database Management Systems", "ER modelling, SQL, normalization and transactions", 0, "intermediate", "en", 0,
     ["dbms", "sql"], [("Modelling", ["The ER model", "Relational algebra"]),
                       ("SQL and design", ["Writing SQL queries", "Normal forms: 1NF to BCNF"])]),
    ("Python Programming for Engineers", "From first program to files and modules", 0, "beginner", "en", 0,
     ["python", "programming"], [("Getting started", ["Installing Python", "Variables and types", "Control flow"]),
                                 ("Working with data", ["Lists and dictionaries", "Reading files"])]),
    ("Machine Learning Foundations", "Regression, classification and model evaluation", 0, "advanced", "en", 149900,
     ["ml", "ai", "python"], [("Supervised learning", ["Linear regression", "Logistic regression"]),
                              ("Evaluation", ["Train, validation and test splits", "Precision, recall and F1"])]),
    ("Operating Systems", "Processes, scheduling, memory and file systems", 0, "intermediate", "en", 0,
     ["os", "systems"], [("Processes", ["Processes and threads", "CPU scheduling"]),
                         ("Memory", ["Paging", "Virtual memory"])]),
    ("Digital Electronics and Logic Design", "Number systems, gates, combinational and sequential circuits", 1,
     "beginner", "en", 0, ["digital", "ece"],
     [("Combinational logic", ["Number systems", "Boolean algebra and K-maps"]),
      ("Sequential logic", ["Flip-flops", "Counters and registers"])]),
    ("Signals and Systems", "Continuous and discrete signals, Fourier and Laplace", 1, "intermediate", "en", 79900,
     ["signals", "ece"], [("Signals", ["Classification of signals", "LTI systems"]),
                          ("Transforms", ["Fourier series", "Laplace transform"])]),
    ("Engineering Mathematics I", "Calculus and linear algebra for first-year B.Tech", 2, "beginner", "en", 0,
     ["maths", "calculus"], [("Linear algebra", ["Matrices and rank", "Eigenvalues and eigenvectors"]),
                             ("Calculus", ["Mean value theorems", "Multiple integrals"])]),
    ("Probability and Statistics", "Random variables, distributions and hypothesis tests", 2, "intermediate", "en",
     29900, ["statistics", "probability"], [("Probability", ["Random variables", "Common distributions"]),
                                            ("Inference", ["Sampling", "Tests of hypotheses"])]),
    ("Engineering Mechanics", "Statics and dynamics of particles and rigid bodies", 3, "beginner", "en", 39900,
     ["mechanics", "civil", "mechanical"], [("Statics", ["Force systems", "Equilibrium"]),
                                            ("Dynamics", ["Kinematics", "Work and energy"])]),
    ("తెలుగు సాహిత్యం: ప్రాచీనం నుండి ఆధునికం", "Telugu literature from Nannaya to the modern poets", 4,
     "all_levels", "te", 0, ["telugu", "literature"], [("ప్రాచీన సాహిత్యం", ["నన్నయ భారతం", "పోతన భాగవతం"]),
                                                     ("ఆధునిక సాహిత్యం", ["గురజాడ కన్యాశుల్కం", "శ్రీశ్రీ మహాప్రస్థానం"])]),
    ("Professional Communication in English", "Writing, presenting and interviewing with confidence", 5,
     "beginner", "en", 0, ["english", "soft-skills"],
     [("Writing", ["Emails and reports", "Technical writing"]),
      ("Speaking", ["Presentations", "Group discussions and interviews"])]),
]  # fmt: skip

DEMO_PEOPLE = [
    (Role.INSTRUCTOR, "anitha.rao@demo.jntugv.edu.in", "Dr. Anitha Rao"),
    (Role.STUDENT, "kiran.kumar@demo.jntugv.edu.in", "Kiran Kumar"),
    (Role.STUDENT, "lavanya.devi@demo.jntugv.edu.in", "Lavanya Devi"),
    (Role.STUDENT, "mohammed.irfan@demo.jntugv.edu.in", "Mohammed Irfan"),
]

REVIEWS = [
    (5, "Clear explanations and the examples match our JNTU syllabus exactly."),
    (4, "Very useful before the semester exams. More practice problems would help."),
    (5, "The best course I have taken on this platform."),
    (3, "Good content, but the audio in some videos is low."),
]


def _lesson_markdown(course: str, lesson: str) -> str:
    return (
        f"## {lesson}\n\n"
        f"This lesson of **{course}** covers *{lesson.lower()}*.\n\n"
        "### You will learn\n\n"
        "- the key definitions and notation\n- worked examples from previous exam papers\n"
        "- common mistakes and how to avoid them\n\n"
        "> Tip: pause the video and solve each example before watching the solution.\n"
    )


async def _person(session: AsyncSession, settings: Settings, role: Role, email: str, name: str) -> User:
    user = await users_service.get_by_email(session, email)
    if user is not None:
        return user
    # Demo co-instructors and classmates cannot sign in: their password is random and never shown.
    password_hash = await hash_password(secrets.token_urlsafe(16), settings.bcrypt_rounds)
    return await users_service.create(
        session, email=email, full_name=name, role=role, password_hash=password_hash, verified=True
    )


async def seed_catalog(session: AsyncSession, settings: Settings, *, instructor_email: str, student_email: str) -> bool:
    """Create the demo catalog unless it exists. Returns True when something was created."""
    if await session.scalar(select(Category.id).limit(1)) is not None:
        return False
    instructor = await users_service.get_by_email(session, instructor_email)
    student = await users_service.get_by_email(session, student_email)
    if instructor is None or student is None:
        return False
    people = [await _person(session, settings, *p) for p in DEMO_PEOPLE]
    co_instructor, classmates = people[0], people[1:]

    categories = [
        await courses_service.create_category(session, name=name, slug=None, description=desc, position=n)
        for n, (name, desc) in enumerate(CATEGORIES)
    ]
    created: dict[str, Any] = {}
    for n, (title, subtitle, cat, level, language, price, tags, syllabus) in enumerate(COURSES):
        owner = instructor if n % 3 != 1 else co_instructor
        data: dict[str, Any] = {
            "title": title,
            "subtitle": subtitle,
            "description": f"# {title}\n\n{subtitle}.\n\nDesigned for B.Tech students of JNTU-GV and its "
            "affiliated colleges. Each unit ends with practice problems in the university exam pattern.",
            "category_id": categories[cat].id,
            "level": level,
            "language": language,
            "tags": tags,
            "price": {"amount": price, "currency": "INR"} if price else None,
            "instructor_ids": [owner.id, co_instructor.id] if n == 0 else [owner.id],
        }
        if title.startswith("Machine Learning"):
            data["prerequisite_ids"] = [created["Python Programming for Engineers"].id]
            data["capacity"] = 60
        course = await courses_service.create_course(session, actor=owner, data=data)
        first = True
        for section_title, lessons in syllabus:
            section = await courses_service.add_section(session, course_id=course.id, actor=owner, title=section_title)
            for k, lesson_title in enumerate(lessons):
                video = k % 2 == 0
                await courses_service.add_lesson(
                    session,
                    section_id=section.id,
                    actor=owner,
                    data={
                        "title": lesson_title,
                        "kind": "video" if video else "text",
                        "content": _lesson_markdown(title, lesson_title),
                        "video_url": SAMPLE_VIDEO if video else None,
                        "is_preview": first,
                        "duration_seconds": 900 + 300 * k if video else 600,
                    },
                )
                first = False
        await courses_service.publish_course(session, course_id=course.id, actor=owner)
        created[title] = course

    # Classmates enroll and review a few courses.
    for n, title in enumerate(["Database Management Systems", "Python Programming for Engineers",
                               "Data Structures and Algorithms", "Digital Electronics and Logic Design"]):  # fmt: skip
        course = created[title]
        for m, classmate in enumerate(classmates):
            if course.is_free:
                await enrollments_service.enroll(session, user=classmate, course_id=course.id)
            else:
                await enrollments_service.activate_paid_enrollment(
                    session, user_id=classmate.id, course_id=course.id, order_id=f"demo-order-{n}-{m}"
                )
            rating, body = REVIEWS[(n + m) % len(REVIEWS)]
            await reviews_service.upsert_review(session, user=classmate, course_id=course.id, rating=rating, body=body)

    # The demo student is part-way through Python Programming.
    python = created["Python Programming for Engineers"]
    await enrollments_service.enroll(session, user=student, course_id=python.id)
    lesson_ids = [lesson.id for _, lessons in await courses_service.syllabus(session, python.id) for lesson in lessons]
    for lesson_id in lesson_ids[:2]:
        await progress_service.mark_lesson_complete(session, user_id=student.id, lesson_id=lesson_id)
    await progress_service.save_position(session, user=student, lesson_id=lesson_ids[2], position_seconds=312)
    return True
