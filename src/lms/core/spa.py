"""Serves the built web app: hashed assets cached for a year, other routes fall back to index.html."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from lms.core.errors import NotFound

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>JNTU GV LMS</title></head>
<body><main><h1>JNTU GV LMS</h1><p>The API is running at <a href="/api/docs">/api/docs</a>.
The web app has not been built: run <code>make web</code> (or <code>make run</code>).</p></main></body></html>"""


def mount_spa(app: FastAPI, dist: Path) -> None:
    root = dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str, request: Request) -> Response:
        if path.startswith(("api/", ".well-known/")) or path == "api":
            raise NotFound("No such resource.")
        index = root / "index.html"
        if not index.exists():
            return HTMLResponse(_NOT_BUILT)
        if path:
            candidate = (root / path).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                immutable = path.startswith("assets/")
                cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
                return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})
