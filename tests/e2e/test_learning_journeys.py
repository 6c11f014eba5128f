"""Journeys of learners, instructors and administrators through courses, quizzes, certificates and payments.

They need the courses, quizzes/certificates, payments, search and analytics APIs (and their demo data) on the
server under test; the helpers talk to the API directly only to find demo content and its answer key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.e2e.conftest import LiveServer, axe_violations, screenshot
from tests.e2e.test_account_journeys import login

Page = Any  # playwright.sync_api.Page

STUDENT = ("student@demo.jntugv.edu.in", "Learn@Demo2026")
INSTRUCTOR = ("instructor@demo.jntugv.edu.in", "Teach@Demo2026")
ADMIN = ("admin@demo.jntugv.edu.in", "Admin@Demo2026")


@contextmanager
def api_as(live_server: LiveServer, email: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=15) as client:
        r = client.post("/auth/login", json={"email": email, "password": password})
        r.raise_for_status()
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        yield client


def find_course(client: httpx.Client, title_start: str) -> dict[str, Any]:
    items = client.get("/courses", params={"q": title_start, "page_size": 50}).json()["items"]
    match = [c for c in items if c["title"].startswith(title_start)]
    assert match, f"no demo course titled {title_start!r}"
    return dict(client.get(f"/courses/{match[0]['id']}").json())


def plain(markdown: str) -> str:
    return re.sub(r"[*_`#>\[\]]", "", markdown).strip().splitlines()[0][:40]


def quiz_with_key(live_server: LiveServer, course: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The course's quiz and its questions with the answer key (as its instructor); adds one if there is none."""
    with api_as(live_server, *INSTRUCTOR) as api:
        quizzes = api.get(f"/courses/{course['id']}/quizzes").json()
        usable = [q for q in quizzes if q["question_count"] > 0 and q["lesson_id"]]
        if usable:
            quiz = usable[0]
        else:
            section = sorted(course["sections"], key=lambda s: s["position"])[-1]
            r = api.post(
                f"/courses/{course['id']}/quizzes",
                json={"title": "Unit check", "section_id": section["id"], "passing_percent": 50, "attempts_allowed": 3},
            )
            assert r.status_code == 201, r.text
            quiz = r.json()
            for body in (
                {
                    "kind": "single",
                    "stem": "Which greeting suits a formal email?",
                    "points": 1,
                    "options": [{"text": "Dear Sir or Madam", "correct": True}, {"text": "Hey dude", "correct": False}],
                },
                {"kind": "true_false", "stem": "A report states its purpose early.", "points": 1, "correct": True},
                {
                    "kind": "numeric",
                    "stem": "How many minutes are in two hours?",
                    "points": 1,
                    "value": 120,
                    "tolerance": 0,
                },
            ):
                r = api.post(f"/courses/{course['id']}/questions", json={**body, "quiz_id": quiz["id"]})
                assert r.status_code == 201, r.text
        questions = api.get(f"/courses/{course['id']}/questions", params={"quiz_id": quiz["id"]}).json()
    return quiz, questions


def answer_question(page: Page, q: dict[str, Any]) -> None:
    kind = q["kind"]
    if kind in ("single", "multiple"):
        for option in q["options"]:
            if option["correct"]:
                page.get_by_label(plain(option["text"]), exact=False).check()
    elif kind == "true_false":
        page.get_by_label("True" if q["correct"] else "False", exact=True).check()
    elif kind == "short":
        page.get_by_label("Your answer", exact=True).fill(q["accepted_answers"][0])
    elif kind == "numeric":
        page.get_by_label("Your answer", exact=True).fill(str(q["value"]))
    else:
        page.get_by_label("Your answer", exact=True).fill("An essay answer written in the browser journey.")


def fits_a_phone(page: Page, name: str) -> None:
    """At 360 px wide nothing scrolls sideways; a screenshot is kept."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        screenshot(page, f"{name}-360px")
        assert overflow <= 0, f"{name}: {overflow}px wider than a 360 px phone"
    finally:
        page.set_viewport_size(size)


def test_visitor_searches_the_catalog_and_opens_a_course(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    box = page.get_by_role("combobox").first
    box.fill("pyth")
    option = page.get_by_role("option", name=re.compile("Python Programming", re.I)).first
    option.wait_for()
    screenshot(page, "search-autocomplete")
    box.fill("python")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/courses\?q=python"))
    page.get_by_role("link", name=re.compile("Python Programming for Engineers")).first.wait_for()
    assert axe_violations(page) == []
    screenshot(page, "catalog-search")
    # Every sort offered with a query gives results (the search once refused "Price: high to low": 422).
    sort = page.get_by_label("Sort by")
    for value in sort.locator("option").evaluate_all("options => options.map(o => o.value)"):
        sort.select_option(value)
        page.wait_for_url(re.compile(rf"sort={value}"))
        page.get_by_role("link", name=re.compile("Python Programming for Engineers")).first.wait_for()
        assert page.get_by_role("alert").count() == 0, value
    page.get_by_role("link", name=re.compile("Python Programming for Engineers")).first.click()
    page.wait_for_url(re.compile(r"/courses/[^/?]+$"))
    page.get_by_role("heading", level=1, name=re.compile("Python Programming")).first.wait_for()
    page.get_by_role("heading", name="Syllabus").wait_for()
    page.get_by_role("heading", name="Reviews").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "course-page")


def test_student_completes_a_free_course_passes_the_quiz_and_verifies_the_certificate(
    page: Page, live_server: LiveServer
) -> None:
    with api_as(live_server, *STUDENT) as api:
        course = find_course(api, "Professional Communication")
    quiz, questions = quiz_with_key(live_server, course)
    with api_as(live_server, *STUDENT) as api:
        course = api.get(f"/courses/{course['id']}").json()  # the syllabus now includes the quiz lesson

    login(page, *STUDENT)
    page.goto(f"/courses/{course['slug']}")
    page.get_by_role("button", name="Enroll for free").click()
    page.wait_for_url(re.compile(rf"/learn/{re.escape(course['slug'])}/"))

    lessons = [
        lesson
        for section in sorted(course["sections"], key=lambda s: s["position"])
        for lesson in sorted(section["lessons"], key=lambda x: x["position"])
    ]
    for lesson in lessons:
        if lesson["kind"] == "quiz":
            continue
        page.goto(f"/learn/{course['slug']}/{lesson['id']}")
        with page.expect_response(lambda r: r.url.endswith("/complete") and r.request.method == "POST") as done:
            page.get_by_role("button", name="Mark as complete").click()
        assert done.value.ok
        page.get_by_role("button", name="Completed").wait_for()
    screenshot(page, "lesson-player")

    page.goto(f"/learn/{course['slug']}/{quiz['lesson_id']}")
    page.get_by_role("heading", name=quiz["title"]).first.wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name=re.compile("Start quiz|Try again")).click()
    page.wait_for_url(re.compile(r"/quiz/attempts/"))
    page.get_by_text(re.compile(r"Question 1 of \d+")).wait_for()
    assert axe_violations(page) == []
    screenshot(page, "quiz-taking")
    fits_a_phone(page, "quiz-taking")

    by_stem = {plain(q["stem"]): q for q in questions}
    total = int(
        re.search(r"of (\d+)", page.get_by_text(re.compile(r"Question 1 of \d+")).text_content() or "").group(1)
    )  # type: ignore[union-attr]
    for n in range(1, total + 1):
        page.get_by_text(f"Question {n} of {total}").wait_for()
        shown = next(q for stem, q in by_stem.items() if page.get_by_text(stem, exact=False).first.is_visible())
        answer_question(page, shown)
        if n < total:
            page.get_by_role("button", name=re.compile("Next question")).click()
    page.get_by_text("All answers saved").wait_for(timeout=10_000)
    page.get_by_role("complementary").get_by_role("button", name="Submit quiz").click()
    dialog = page.get_by_role("dialog", name="Submit your answers?")
    dialog.wait_for()
    screenshot(page, "quiz-submit-confirmation")
    dialog.get_by_role("button", name="Submit now").click()
    page.get_by_text("You passed!").wait_for()
    page.get_by_role("heading", name="Review").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "quiz-results")

    # The certificate is issued by the server once the course is complete (possibly a moment later).
    page.goto("/certificates")
    heading = page.get_by_role("heading", name=course["title"])
    for _ in range(40):
        if heading.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    heading.wait_for()
    assert axe_violations(page) == []
    screenshot(page, "certificates")
    fits_a_phone(page, "certificates")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download PDF")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    verify_href = page.get_by_role("link", name=re.compile("Verification page")).first.get_attribute("href")
    assert verify_href and verify_href.startswith("/verify/")

    # Anyone can verify it, signed in or not.
    public = page.context.browser.new_context(base_url=live_server.url)
    try:
        visitor = public.new_page()
        visitor.goto(verify_href)
        visitor.get_by_text("This certificate is valid").wait_for()
        visitor.get_by_text(course["title"]).first.wait_for()
        assert axe_violations(visitor) == []
        screenshot(visitor, "certificate-verified")
    finally:
        public.close()


def test_student_buys_a_paid_course_in_sandbox_mode(page: Page, live_server: LiveServer) -> None:
    with api_as(live_server, *STUDENT) as api:
        paid = api.get("/courses", params={"price": "paid", "page_size": 50}).json()["items"]
        candidates = [api.get(f"/courses/{c['id']}").json() for c in paid]
        course = next(c for c in candidates if not (c.get("viewer") or {}).get("enrolled") and c["lesson_count"] > 0)

    login(page, *STUDENT)
    page.goto(f"/courses/{course['slug']}")
    page.get_by_role("button", name="Buy now").click()
    page.wait_for_url(re.compile(r"/checkout/"))
    page.get_by_role("heading", name="Checkout").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "checkout")
    page.get_by_label(re.compile("Sandbox")).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_text("TEST MODE — this is a sandbox payment").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "checkout-sandbox")
    fits_a_phone(page, "checkout-sandbox")
    page.get_by_role("button", name="Confirm test payment").click()
    page.wait_for_url(re.compile(rf"/learn/{re.escape(course['slug'])}"))
    page.get_by_role("heading", level=1).first.wait_for()
    screenshot(page, "paid-course-lesson")

    page.goto("/payments")
    row = page.get_by_role("row", name=re.compile(re.escape(course["title"])))
    row.wait_for()
    assert "Paid" in row.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "payments-history")


MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(4096)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(256)


def test_instructor_builds_and_publishes_a_course_with_a_quiz(page: Page, live_server: LiveServer) -> None:
    login(page, *INSTRUCTOR)
    page.goto("/studio")
    page.get_by_label("New course title").fill("Surveying Field Practice")
    page.get_by_role("button", name="Create course").click()
    page.wait_for_url(re.compile(r"/studio/courses/[^/]+$"))
    course_url = page.url

    page.get_by_label("New section title").fill("Chain surveying")
    page.get_by_role("button", name="Add section").click()
    page.get_by_role("heading", name="Chain surveying").wait_for()
    page.get_by_role("button", name=re.compile("Add lesson")).click()
    page.get_by_label("Lesson title").fill("Ranging a line")
    page.get_by_label("Text (Markdown)").fill("Ranging is *aligning* intermediate points.")
    page.get_by_role("button", name="Add lesson", exact=True).click()
    page.get_by_text("Ranging a line").first.wait_for()
    page.get_by_role("button", name=re.compile("Add lesson")).click()
    page.get_by_label("Lesson title").fill("Offsets")
    page.get_by_role("button", name="Add lesson", exact=True).click()
    page.get_by_text("Offsets").first.wait_for()
    # A video lesson from an uploaded file, and a course image.
    page.get_by_role("button", name=re.compile("Add lesson")).click()
    page.get_by_label("Lesson title").fill("Chaining demonstration")
    page.get_by_label("Kind", exact=True).select_option("video")
    video = {"name": "chaining.mp4", "mimeType": "video/mp4", "buffer": MP4_BYTES}
    page.get_by_label("Or upload a video (MP4, WebM)").set_input_files(video)  # type: ignore[arg-type]
    page.get_by_text("Uploaded chaining.mp4.").wait_for()
    assert page.get_by_label("URL").input_value().startswith("/api/v1/media/")
    page.get_by_role("button", name="Add lesson", exact=True).click()
    page.get_by_text("Chaining demonstration").first.wait_for()
    cover = {"name": "cover.png", "mimeType": "image/png", "buffer": PNG_BYTES}
    page.get_by_label("Course image (PNG, JPEG, WebP)").set_input_files(cover)  # type: ignore[arg-type]
    page.get_by_text("Uploaded cover.png.").wait_for()
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/api/v1/courses/" in r.url) as saved:
        page.get_by_role("button", name="Save", exact=True).first.click()
    assert saved.value.ok and saved.value.json()["thumbnail_url"].startswith("/api/v1/media/")
    files = page.get_by_role("region", name="Files")
    files.get_by_role("link", name="chaining.mp4").wait_for()
    files.get_by_role("link", name="cover.png").wait_for()
    # Keyboard reordering on the drag handle.
    with page.expect_response(lambda r: "/lessons/order" in r.url) as order:
        page.get_by_role("button", name="Reorder Offsets").press("ArrowUp")
    assert order.value.ok
    assert axe_violations(page) == []
    screenshot(page, "studio-course-editor")

    page.get_by_role("navigation", name="Course studio").get_by_role("link", name="Quizzes").click()
    page.get_by_label("Quiz title").fill("Chain surveying check")
    page.get_by_role("button", name="Create quiz").click()
    page.wait_for_url(re.compile(r"/quizzes/[^/]+$"))
    page.get_by_role("button", name=re.compile("Add question")).click()
    page.get_by_label("Question (Markdown)").fill("What is the length of a metric chain (m)?")
    page.get_by_label("Kind").select_option("numeric")
    page.get_by_label("Correct value").fill("20")
    page.get_by_role("button", name="Add question", exact=True).click()
    page.get_by_text("What is the length of a metric chain").first.wait_for()
    page.get_by_label("Format").select_option("gift")
    page.get_by_label("Questions to import").fill("::Ranging:: Ranging needs at least two ranging rods. {T}\n")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported 1 questions.").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "studio-quiz-builder")
    fits_a_phone(page, "studio-quiz-builder")

    page.goto(course_url)
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Published").first.wait_for()
    page.get_by_role("link", name="View course page").click()
    page.get_by_role("heading", level=1, name="Surveying Field Practice").first.wait_for()
    page.get_by_text("Chain surveying check").first.wait_for()
    screenshot(page, "studio-published-course")


def test_admin_opens_the_dashboards(page: Page, live_server: LiveServer) -> None:
    login(page, *ADMIN)
    page.goto("/admin/analytics")
    page.get_by_text("Registrations").first.wait_for()
    page.get_by_role("heading", name="Activity").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "admin-analytics")
    # The period controls ask the server again for the new period and grouping.
    summary = "/api/v1/analytics/admin/summary"
    with page.expect_response(lambda r: summary in r.url and "granularity=month" in r.url) as month:
        page.get_by_label("Group by").select_option("month")
    assert month.value.status == 200
    with page.expect_response(lambda r: summary in r.url and "from=2026-01-01" in r.url) as since:
        page.get_by_label("From").fill("2026-01-01")
    assert since.value.status == 200 and "granularity=month" in since.value.url
    for path, heading in (
        ("/admin/categories", "Categories"),
        ("/admin/courses", "All courses"),
        ("/admin/payments", "Payments and refunds"),
        ("/admin/coupons", "Coupons"),
    ):
        page.goto(path)
        page.get_by_role("heading", level=1, name=heading).wait_for()
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [], path
        screenshot(page, f"admin-{path.rsplit('/', 1)[-1]}")


def test_a_lesson_once_opened_stays_readable_offline(page: Page, live_server: LiveServer) -> None:
    """The PWA: the service worker keeps the lessons a student opened, so they read them without a network."""
    with api_as(live_server, *STUDENT) as api:
        course = find_course(api, "Professional Communication")
        enrolled = api.post("/enrollments", json={"course_id": course["id"]})
        assert enrolled.status_code in (200, 201), enrolled.text
        lesson_id = next(
            lesson["id"]
            for section in sorted(course["sections"], key=lambda s: s["position"])
            for lesson in sorted(section["lessons"], key=lambda x: x["position"])
            if lesson["kind"] == "text"
        )
        lesson = api.get(f"/lessons/{lesson_id}").json()
    login(page, *STUDENT)
    page.goto(f"/learn/{course['slug']}/{lesson_id}")
    page.get_by_text(plain(lesson["content"])).first.wait_for()
    # Once the worker controls the page, opening the lesson again stores it for offline reading.
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)") is True
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_text(plain(lesson["content"])).first.wait_for()

    page.context.set_offline(True)
    try:
        page.reload()
        page.get_by_role("heading", name=lesson["title"]).first.wait_for()
        page.get_by_text(plain(lesson["content"])).first.wait_for()
        screenshot(page, "lesson-offline")
    finally:
        page.context.set_offline(False)
