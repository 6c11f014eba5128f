"""Journeys of visitors and administrators in a real browser."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.e2e.conftest import LiveServer, axe_violations, screenshot

Page = Any  # playwright.sync_api.Page (typed loosely to keep mypy off Playwright's stubs)


def test_visitor_registers_verifies_and_logs_in(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    assert axe_violations(page) == []
    screenshot(page, "home")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label("Full name").fill("Lakshmi Narayana")
    page.get_by_label("Email").fill("lakshmi@student.jntugv.edu.in")
    page.get_by_label("Password").fill("Vizag-Beach-2026")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Check your inbox").wait_for()

    page.goto(live_server.link_from_mail("lakshmi@student.jntugv.edu.in", "/verify-email"))
    page.get_by_text(re.compile("verified", re.I)).first.wait_for()

    page.goto("/login")
    page.get_by_label("Email").fill("lakshmi@student.jntugv.edu.in")
    page.get_by_label("Password").fill("Vizag-Beach-2026")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(dashboard)?$"))
    page.get_by_role("button", name=re.compile("Lakshmi", re.I)).first.wait_for()
    screenshot(page, "after-login")


def test_wrong_password_shows_the_servers_message(page: Page, live_server: LiveServer) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill("student@demo.jntugv.edu.in")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("The email or password is incorrect.").wait_for()


def login(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_admin_changes_a_role(page: Page, live_server: LiveServer) -> None:
    login(page, "admin@demo.jntugv.edu.in", "Admin@Demo2026")
    page.goto("/admin/users")
    page.get_by_role("searchbox").fill("instructor@demo")
    row = page.get_by_role("row", name=re.compile("instructor@demo.jntugv.edu.in"))
    row.wait_for()
    assert axe_violations(page) == []
    screenshot(page, "admin-users")
    page.on("dialog", lambda dialog: dialog.accept())  # "Make Prof. Ravi Kumar Varma a Admin?"
    with page.expect_response(lambda r: "/api/v1/admin/users/" in r.url and r.request.method == "PATCH") as patch:
        row.get_by_role("combobox").select_option("admin")
    assert patch.value.status == 200
    # The server now says so too.
    token = httpx.post(
        f"{live_server.url}/api/v1/auth/login",
        json={"email": "instructor@demo.jntugv.edu.in", "password": "Teach@Demo2026"},
    ).json()
    assert token["user"]["role"] == "admin"


def test_visitor_switches_the_interface_to_telugu_and_back(page: Page, live_server: LiveServer) -> None:
    page.goto("/courses")
    page.get_by_role("link", name="Courses").first.wait_for()
    page.get_by_role("combobox", name="Language", exact=True).select_option("te")  # applied by reloading
    nav = page.get_by_role("navigation", name="ప్రధాన మెనూ")
    nav.get_by_role("link", name="కోర్సులు").wait_for()
    assert page.locator("html").get_attribute("lang") == "te"
    assert page.get_by_role("link", name="Courses", exact=True).count() == 0
    assert axe_violations(page) == []
    # Telugu glyphs come from the app's own font, so machines without a Telugu font show text, not boxes.
    page.evaluate("document.fonts.ready.then(() => true)")
    loaded = "[...document.fonts].some(f => f.family.includes('Noto Sans Telugu') && f.status === 'loaded')"
    assert page.evaluate(loaded)
    screenshot(page, "catalog-telugu")
    # The server's errors come in English; a known code reads in Telugu.
    page.goto("/login")
    page.get_by_label("ఈమెయిల్").fill("student@demo.jntugv.edu.in")
    page.get_by_label("పాస్‌వర్డ్").fill("not-the-password")
    page.get_by_role("button", name="లాగిన్ చేయండి", exact=True).click()
    page.get_by_text("ఈమెయిల్ లేదా పాస్‌వర్డ్ తప్పు.").wait_for()
    # The choice stays on this device across visits.
    page.goto("/")
    page.get_by_role("navigation", name="ప్రధాన మెనూ").wait_for()
    page.get_by_role("combobox", name="భాష", exact=True).select_option("en")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_students_language_follows_them_to_a_new_device(page: Page, browser: Any, live_server: LiveServer) -> None:
    student = ("student@demo.jntugv.edu.in", "Learn@Demo2026")
    try:
        login(page, *student)
        page.wait_for_load_state("networkidle")  # the sign-in's own navigation is over

        def is_profile_save(r: Any) -> bool:
            return bool(r.url.endswith("/api/v1/users/me") and r.request.method == "PATCH")

        with page.expect_response(is_profile_save) as saved:
            page.get_by_role("combobox", name="Language", exact=True).select_option("te")
        assert saved.value.status == 200
        page.get_by_role("navigation", name="ప్రధాన మెనూ").wait_for()
        # Another browser, nothing chosen there: signing in brings the student's language along.
        other = browser.new_context(base_url=live_server.url)
        try:
            second = other.new_page()
            second.goto("/login")
            second.get_by_label("Email").fill(student[0])
            second.get_by_label("Password").fill(student[1])
            second.get_by_role("button", name="Log in").click()
            # Signed in, the page reloads in the profile's language.
            second.get_by_role("navigation", name="ప్రధాన మెనూ").wait_for()
            assert second.locator("html").get_attribute("lang") == "te"
            assert second.evaluate("localStorage.getItem('lms.locale')") == "te"  # now chosen there too
        finally:
            other.close()
    finally:
        # The demo student is shared with the other journeys, which read English.
        token = httpx.post(
            f"{live_server.url}/api/v1/auth/login", json={"email": student[0], "password": student[1]}
        ).json()["access_token"]
        reset = httpx.patch(
            f"{live_server.url}/api/v1/users/me", json={"locale": "en"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert reset.status_code == 200
