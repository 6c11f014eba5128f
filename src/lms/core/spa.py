"""Serves the built web app: hashed assets cached for a year, other routes fall back to index.html."""

from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from lms.core.errors import NotFound

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>JNTU GV LMS</title></head>
<body><main><h1>JNTU GV LMS</h1><p>The API is running at <a href="/api/docs">/api/docs</a>.
The web app has not been built: run <code>make web</code> (or <code>make run</code>).</p></main></body></html>"""


_COMPRESSIBLE = {".js", ".css", ".html", ".svg", ".json", ".webmanifest", ".txt", ".map"}


def mount_spa(app: FastAPI, dist: Path) -> None:
    root = dist.resolve()
    gzipped: dict[Path, bytes] = {}  # hashed assets never change: compress each once

    def send(path: Path, request: Request, cache: str) -> Response:
        headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
        if path.suffix in _COMPRESSIBLE and "gzip" in request.headers.get("accept-encoding", ""):
            body = gzipped.get(path)
            if body is None:
                body = gzip.compress(path.read_bytes(), compresslevel=6)
                if cache.startswith("public"):
                    gzipped[path] = body
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return Response(body, media_type=media, headers={**headers, "Content-Encoding": "gzip"})
        return FileResponse(path, headers=headers)

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
                return send(candidate, request, "public, max-age=31536000, immutable" if immutable else "no-cache")
        return send(index, request, "no-cache")
