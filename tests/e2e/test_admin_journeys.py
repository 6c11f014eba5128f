"""Journeys across roles: coupons and refunds, essay grading, certificate revocation, review moderation and
roster administration. Each journey makes its own students (and courses where it needs them) through the API,
so it does not depend on the demo data's state or on the other journeys; the browser does the part under test.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.e2e.conftest import LiveServer, axe_violations, screenshot
from tests.e2e.test_account_journeys import login
from tests.e2e.test_learning_journeys import ADMIN, INSTRUCTOR, api_as, fits_a_phone

Page = Any  # playwright.sync_api.Page

PASSWORD = "Journey-Pass-2026"


def new_student(live_server: LiveServer, full_name: str) -> str:
    """A freshly registered student (signing in does not need the address verified); returns the email."""
    email = f"{full_name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@student.jntugv.edu.in"
    r = httpx.post(
        f"{live_server.url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": full_name},
        timeout=15,
    )
    assert r.status_code in (201, 202), r.text
    return email


def eventually(check: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    """Poll ``check`` until it returns something truthy (event consumers run a moment later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def signed_in_page(page: Page, live_server: LiveServer, email: str, password: str) -> Iterator[Page]:
    """A second browser (own cookies and storage) signed in as someone else; console errors fail the test."""
    context = page.context.browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    other = context.new_page()
    errors: list[str] = []
    other.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    other.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        login(other, email, password)
        yield other
    finally:
        context.close()
    real = [e for e in errors if "Failed to load resource" not in e]
    assert real == [], f"console errors: {real}"


def build_course(api: httpx.Client, title: str, *, quiz_essay: bool = False) -> dict[str, Any]:
    """A published free course of one text lesson (and, if asked, a quiz of one essay question)."""
    r = api.post("/courses", json={"title": title, "description": "Built by a browser journey."})
    assert r.status_code == 201, r.text
    course = r.json()
    section = api.post(f"/courses/{course['id']}/sections", json={"title": "Unit 1"}).json()
    r = api.post(
        f"/sections/{section['id']}/lessons",
        json={"title": "Reading", "kind": "text", "content": "Read *this*.", "duration_seconds": 300},
    )
    assert r.status_code == 201, r.text
    course["lesson_id"] = r.json()["id"]
    if quiz_essay:
        r = api.post(
            f"/courses/{course['id']}/quizzes",
            json={"title": "Reflection", "section_id": section["id"], "passing_percent": 50},
        )
        assert r.status_code == 201, r.text
        course["quiz"] = r.json()
        r = api.post(
            f"/courses/{course['id']}/questions",
            json={
                "kind": "essay",
                "stem": "Explain why surveyors close a traverse.",
                "points": 5,
                "quiz_id": course["quiz"]["id"],
            },
        )
        assert r.status_code == 201, r.text
    r = api.post(f"/courses/{course['id']}/publish")
    assert r.status_code == 200, r.text
    return {**r.json(), **{k: course[k] for k in ("lesson_id", "quiz") if k in course}}


def test_admin_coupon_discounts_a_sandbox_purchase_and_a_full_refund_ends_the_enrollment(
    page: Page, live_server: LiveServer
) -> None:
    student = new_student(live_server, "Keerthi Coupon")
    with api_as(live_server, student, PASSWORD) as api:
        paid = api.get("/courses", params={"price": "paid", "page_size": 50}).json()["items"]
        course = next(c for c in paid if c["lesson_count"] > 0)
    code = f"HALF{uuid.uuid4().hex[:6].upper()}"

    # The admin creates a 50% coupon for this course.
    with signed_in_page(page, live_server, *ADMIN) as admin:
        admin.goto("/admin/coupons")
        admin.get_by_role("heading", level=1, name="Coupons").wait_for()
        form = admin.get_by_role("form", name="Create coupon")
        form.get_by_label("Code").fill(code)
        form.get_by_label("Kind").select_option("percent")
        form.get_by_label("Percent off").fill("50")
        form.get_by_label("Only for course (id)").fill(course["id"])
        form.get_by_label("Description").fill("Browser journey half price")
        form.get_by_role("button", name="Create coupon").click()
        admin.get_by_role("row", name=re.compile(code)).wait_for()
        assert axe_violations(admin) == []
        screenshot(admin, "admin-coupon-created")

    # The student pays half in the sandbox.
    login(page, student, PASSWORD)
    page.goto(f"/courses/{course['slug']}")
    page.get_by_role("button", name="Buy now").click()
    page.wait_for_url(re.compile(r"/checkout/"))
    page.get_by_label(re.compile("Sandbox")).check()
    page.get_by_label("Coupon code").fill(code)
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_text("TEST MODE — this is a sandbox payment").wait_for()
    price = course["price"]["amount"]
    discount = price // 2
    page.get_by_text(f"Discount ({code})").wait_for()
    summary = page.locator("dl").filter(has_text="Total").first.inner_text()
    assert _rupees(price - discount) in summary and _rupees(price) in summary, summary
    assert axe_violations(page) == []
    screenshot(page, "checkout-with-coupon")
    page.get_by_role("button", name="Confirm test payment").click()
    page.wait_for_url(re.compile(rf"/learn/{re.escape(course['slug'])}"))

    with api_as(live_server, student, PASSWORD) as api:
        order = next(o for o in api.get("/payments/me").json()["items"] if o["course_id"] == course["id"])
        assert order["status"] == "paid" and order["coupon_code"] == code
        assert order["total"]["amount"] == price - discount
        enrollment = next(e for e in api.get("/enrollments/me").json()["items"] if e["course_id"] == course["id"])
        assert enrollment["status"] == "active"

    # The admin refunds all of it; the enrollment ends.
    with signed_in_page(page, live_server, *ADMIN) as admin:
        admin.goto("/admin/payments")
        admin.get_by_label("Status").select_option("paid")
        row = admin.get_by_role("row", name=re.compile(order["id"]))
        row.get_by_role("button", name=re.compile("Refund")).click()
        refund = admin.get_by_role("form", name=f"Refund order {order['id']}")
        refund.get_by_label("Reason").fill("Student asked within the refund window")
        refund.get_by_role("button", name="Issue refund").click()
        admin.get_by_text(f"Refund issued for order {order['id']}.").wait_for()
        assert axe_violations(admin) == []
        screenshot(admin, "admin-full-refund")

    def ended() -> dict[str, Any] | None:
        with api_as(live_server, student, PASSWORD) as api:
            mine = api.get("/enrollments/me").json()["items"]
            e = next(e for e in mine if e["course_id"] == course["id"])
            return e if e["status"] != "active" else None

    assert eventually(ended, "the enrollment to end")["status"] == "ended"
    with api_as(live_server, student, PASSWORD) as api:
        assert api.get(f"/payments/{order['id']}").json()["status"] == "refunded"
    page.goto("/dashboard")
    card = page.get_by_role("article").filter(has_text=course["title"])
    card.get_by_text("Ended").wait_for()
    assert card.get_by_role("button", name=re.compile("Leave course")).count() == 0
    screenshot(page, "dashboard-refunded-enrollment")


def _rupees(paise: int) -> str:
    """As the web app shows INR below ₹1,00,000 (Western and Indian grouping agree there)."""
    text = f"₹{paise / 100:,.2f}"
    return text[:-3] if text.endswith(".00") else text


def test_instructor_grades_an_essay_and_the_student_sees_the_result(page: Page, live_server: LiveServer) -> None:
    with api_as(live_server, *INSTRUCTOR) as api:
        course = build_course(api, f"Traverse Surveying {uuid.uuid4().hex[:4]}", quiz_essay=True)
    quiz = course["quiz"]
    student = new_student(live_server, "Bhavani Essay")
    with api_as(live_server, student, PASSWORD) as api:
        assert api.post("/enrollments", json={"course_id": course["id"]}).status_code == 201
        attempt = api.post(f"/quizzes/{quiz['id']}/attempts").json()
        essay = attempt["questions"][0]["id"]
        answer = "Closing the traverse shows the angular and linear misclosure, so errors are found and spread."
        r = api.put(f"/attempts/{attempt['id']}/answers", json={"answers": {essay: answer}})
        assert r.status_code == 200, r.text
        submitted = api.post(f"/attempts/{attempt['id']}/submit").json()
        assert submitted["status"] == "pending_review"

    login(page, student, PASSWORD)
    page.goto(f"/quiz/attempts/{attempt['id']}")
    page.get_by_text("Some answers are graded by your instructor").wait_for()

    with signed_in_page(page, live_server, *INSTRUCTOR) as instructor:
        instructor.goto(f"/studio/courses/{course['id']}/grading")
        form = instructor.get_by_role("form", name=re.compile(rf"Bhavani Essay · {quiz['title']}"))
        form.get_by_text(answer).wait_for()
        assert axe_violations(instructor) == []
        screenshot(instructor, "studio-grading-queue")
        fits_a_phone(instructor, "studio-grading-queue")
        form.get_by_label("Score (max 5)").fill("4")
        form.get_by_label("Feedback").fill("Clear, and you named both misclosures.")
        form.get_by_role("button", name="Save grades").click()
        instructor.get_by_text("Nothing to grade.").wait_for()
        screenshot(instructor, "studio-grading-done")

    page.reload()
    page.get_by_text(re.compile(r"Score: 4 of 5 \(80%\)")).wait_for()
    page.get_by_text("Clear, and you named both misclosures.").wait_for()
    assert page.get_by_text("Some answers are graded by your instructor").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "quiz-essay-graded")


def test_admin_revokes_a_certificate_and_verification_says_so(page: Page, live_server: LiveServer) -> None:
    with api_as(live_server, *INSTRUCTOR) as api:
        course = build_course(api, f"Levelling Basics {uuid.uuid4().hex[:4]}")
    student = new_student(live_server, "Ravi Revoked")
    with api_as(live_server, student, PASSWORD) as api:
        assert api.post("/enrollments", json={"course_id": course["id"]}).status_code == 201
        assert api.post(f"/lessons/{course['lesson_id']}/complete").status_code in (200, 201)
        cert = eventually(lambda: api.get("/certificates/me").json(), "the certificate")[0]
    code = cert["code"]

    login(page, *ADMIN)
    page.goto("/admin")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Certificates").click()
    page.get_by_role("heading", level=1, name="Certificates").wait_for()
    page.get_by_label(re.compile("Search by code")).fill(student)
    row = page.get_by_role("row", name=re.compile(code))
    row.wait_for()
    assert "Ravi Revoked" in row.inner_text() and course["title"] in row.inner_text()
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    screenshot(page, "admin-certificates")
    fits_a_phone(page, "admin-certificates")

    # Keyboard only: focus the row's Revoke button, open the dialog, cancel with Escape.
    revoke = row.get_by_role("button", name=re.compile("Revoke"))
    revoke.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Revoke certificate {code}?")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    revoke.click()
    dialog.wait_for()
    # The reason is required: the browser refuses to submit without it.
    dialog.get_by_role("button", name="Revoke certificate").click()
    assert dialog.is_visible()
    assert dialog.get_by_label(re.compile("Reason")).evaluate("el => el.validity.valueMissing")
    dialog.get_by_label(re.compile("Reason")).fill("Completion recorded in error")
    assert axe_violations(page) == []
    screenshot(page, "admin-certificate-revoke-dialog")
    dialog.get_by_role("button", name="Revoke certificate").click()
    page.get_by_text(f"Certificate {code} is revoked.").wait_for()
    row.get_by_text("Revoked", exact=True).wait_for()
    assert row.get_by_role("button", name=re.compile("Revoke")).count() == 0
    screenshot(page, "admin-certificate-revoked")

    # Revoking again is refused by the server; its problem+json message is shown (API check of the code).
    with api_as(live_server, *ADMIN) as api:
        again = api.post(f"/admin/certificates/{code}/revoke", json={"reason": "Twice"})
        assert again.status_code == 409 and again.json()["code"] == "already_revoked"

    public = page.context.browser.new_context(base_url=live_server.url)
    try:
        visitor = public.new_page()
        visitor.goto(f"/verify/{code}")
        visitor.get_by_text("This certificate has been revoked").wait_for()
        visitor.get_by_text("Completion recorded in error").first.wait_for()
        assert axe_violations(visitor) == []
        screenshot(visitor, "certificate-verification-revoked")
    finally:
        public.close()


def test_admin_moderates_a_review_and_manages_the_roster(page: Page, live_server: LiveServer) -> None:
    with api_as(live_server, *INSTRUCTOR) as api:
        course = build_course(api, f"Hydrology Notes {uuid.uuid4().hex[:4]}")
    reviewer = new_student(live_server, "Vamsi Reviewer")
    with api_as(live_server, reviewer, PASSWORD) as api:
        assert api.post("/enrollments", json={"course_id": course["id"]}).status_code == 201
        r = api.post(f"/courses/{course['id']}/reviews", json={"rating": 1, "body": "Spam spam spam, buy my notes."})
        assert r.status_code == 201, r.text
    newcomer = new_student(live_server, "Divya Newcomer")

    login(page, *ADMIN)
    page.goto(f"/courses/{course['slug']}")
    review = page.get_by_role("listitem").filter(has_text="Spam spam spam")
    review.get_by_role("button", name=re.compile("^Hide")).click()
    page.get_by_role("dialog", name="Hide the review by Vamsi Reviewer?").get_by_role("button", name="Hide").click()
    review.get_by_text(re.compile("^Hidden")).first.wait_for()
    review.get_by_role("button", name=re.compile("Show again")).wait_for()
    assert axe_violations(page) == []
    screenshot(page, "course-review-hidden-for-admin")
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=15) as anonymous:
        assert anonymous.get(f"/courses/{course['id']}/reviews").json()["items"] == []

    page.goto(f"/studio/courses/{course['id']}/roster")
    page.get_by_role("heading", level=1, name="Students").wait_for()
    page.get_by_label("Student email").fill(newcomer.upper())
    page.get_by_role("button", name="Enroll student").click()
    page.get_by_text("Divya Newcomer is enrolled.").wait_for()
    page.get_by_role("row", name=re.compile("Divya Newcomer")).wait_for()
    # Again: the server answers 200 with the existing enrollment, and the page says so.
    page.get_by_label("Student email").fill(newcomer)
    page.get_by_role("button", name="Enroll student").click()
    page.get_by_text("Divya Newcomer was already enrolled; nothing changed.").wait_for()
    assert page.get_by_role("row", name=re.compile("Divya Newcomer")).count() == 1
    page.get_by_role("button", name=re.compile("Remove Vamsi Reviewer")).click()
    page.get_by_role("dialog", name="Remove Vamsi Reviewer from this course?").get_by_role(
        "button", name="Remove student"
    ).click()
    page.get_by_text("Vamsi Reviewer is removed from the course.").wait_for()
    page.get_by_role("row", name=re.compile("Vamsi Reviewer")).wait_for(state="detached")  # after the refetch
    assert axe_violations(page) == []
    screenshot(page, "studio-roster-admin")
    fits_a_phone(page, "studio-roster-admin")
    with api_as(live_server, reviewer, PASSWORD) as api:
        mine = api.get("/enrollments/me").json()["items"]
        assert next(e for e in mine if e["course_id"] == course["id"])["status"] == "removed"
    with api_as(live_server, newcomer, PASSWORD) as api:
        mine = api.get("/enrollments/me").json()["items"]
        assert next(e for e in mine if e["course_id"] == course["id"])["status"] == "active"


def test_student_leaves_a_course_from_the_dashboard(page: Page, live_server: LiveServer) -> None:
    with api_as(live_server, *INSTRUCTOR) as api:
        course = build_course(api, f"Soil Mechanics Primer {uuid.uuid4().hex[:4]}")
    student = new_student(live_server, "Lalitha Leaver")
    with api_as(live_server, student, PASSWORD) as api:
        assert api.post("/enrollments", json={"course_id": course["id"]}).status_code == 201

    login(page, student, PASSWORD)
    page.goto("/dashboard")
    # Chromium names it "Leave course : <title>" (the visually hidden part is a separate box).
    page.get_by_role("button", name=re.compile(rf"Leave course\s*:\s*{re.escape(course['title'])}")).click()
    dialog = page.get_by_role("dialog", name=f"Leave “{course['title']}”?")
    assert axe_violations(page) == []
    screenshot(page, "dashboard-leave-dialog")
    dialog.get_by_role("button", name="Leave course").click()
    page.get_by_text(f"You left “{course['title']}”.").wait_for()
    page.get_by_role("article").filter(has_text=course["title"]).get_by_text("You left", exact=True).wait_for()
    with api_as(live_server, student, PASSWORD) as api:
        mine = api.get("/enrollments/me").json()["items"]
        assert next(e for e in mine if e["course_id"] == course["id"])["status"] == "dropped"
