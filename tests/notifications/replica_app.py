"""The app as a replica runs it, plus one test-only route that publishes an event (settings from LMS_*)."""

from __future__ import annotations

from typing import Any

from lms.core.deps import SessionDep
from lms.core.events import publish
from lms.main import create_app

app = create_app()


@app.post("/test/events")
async def emit(body: dict[str, Any], session: SessionDep) -> dict[str, str]:
    row = publish(session, str(body["type"]), dict(body["data"]))
    return {"id": row.id}
