from __future__ import annotations

import httpx

from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.courses.helpers import build_course
from tests.factories import signed_in


async def test_reviews_ratings_replies_and_moderation(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client)
    admin = await signed_in(rt, client, Role.ADMIN)
    other_teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    asha = await signed_in(rt, client, full_name="Asha")
    bala = await signed_in(rt, client, full_name="Bala")
    outsider = await signed_in(rt, client)
    for s in (asha, bala):
        await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=s.headers)
    url = f"/api/v1/courses/{fx.id}/reviews"

    resp = await client.post(url, json={"rating": 5}, headers=outsider.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "not_enrolled"
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": 5, "stars": 1}, {"rating": 5, "body": "x" * 5001}):
        assert (await client.post(url, json=bad, headers=asha.headers)).status_code == 422
    resp = await client.post(url, json={"rating": 4, "body": "<script>alert(1)</script> good"}, headers=asha.headers)
    assert resp.status_code == 201
    review_id = resp.json()["id"]
    assert resp.json()["body"] == "<script>alert(1)</script> good"  # plain text: clients escape it
    resp = await client.post(url, json={"rating": 5, "body": "Excellent"}, headers=asha.headers)
    assert resp.status_code == 200 and resp.json()["id"] == review_id
    await client.post(url, json={"rating": 2}, headers=bala.headers)

    listing = (await client.get(url)).json()
    assert listing["total"] == 2
    assert listing["summary"] == {"average": 3.5, "count": 2, "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}}
    card = (await client.get(f"/api/v1/courses/{fx.id}")).json()
    assert card["rating"] == {"average": 3.5, "count": 2}

    reply_url = f"/api/v1/reviews/{review_id}/reply"
    assert (await client.post(reply_url, json={"reply": "Thanks"}, headers=other_teacher.headers)).status_code == 404
    assert (await client.post(reply_url, json={"reply": "Thanks"}, headers=asha.headers)).status_code == 403
    resp = await client.post(reply_url, json={"reply": "Thank you!"}, headers=fx.instructor.headers)
    assert resp.status_code == 200 and resp.json()["reply"] == "Thank you!"
    assert resp.json()["author_name"] == "Asha"

    bala_review = next(r["id"] for r in listing["items"] if r["author_name"] == "Bala")
    mod_url = f"/api/v1/admin/reviews/{bala_review}"
    assert (await client.patch(mod_url, json={"is_hidden": True}, headers=fx.instructor.headers)).status_code == 403
    assert (await client.patch(mod_url, json={"is_hidden": True}, headers=admin.headers)).status_code == 200
    assert (await client.patch(mod_url, json={"is_hidden": True}, headers=admin.headers)).status_code == 200
    assert (
        await client.patch("/api/v1/admin/reviews/nope", json={"is_hidden": True}, headers=admin.headers)
    ).status_code == 404
    listing = (await client.get(url)).json()
    assert listing["total"] == 1 and listing["summary"]["average"] == 5.0 and listing["summary"]["count"] == 1
    assert (await client.get(url, headers=admin.headers)).json()["total"] == 2
    # Editing a hidden review does not bring it back into the average.
    await client.post(url, json={"rating": 1}, headers=bala.headers)
    assert (await client.get(f"/api/v1/courses/{fx.id}")).json()["rating"] == {"average": 5.0, "count": 1}
    await client.patch(mod_url, json={"is_hidden": False}, headers=admin.headers)
    assert (await client.get(f"/api/v1/courses/{fx.id}")).json()["rating"] == {"average": 3.0, "count": 2}
    assert (await client.get("/api/v1/courses/nope/reviews")).status_code == 404
    assert (await client.get(url, params={"page_size": 500})).status_code == 422
