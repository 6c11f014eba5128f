"""Short-lived reuse of public GET answers (the catalog, course pages, search, autocomplete).

An anonymous answer depends only on the URL and on the data, so it is kept as its JSON bytes under
(cache version, path, query) for ``catalog_cache_seconds``. The version is read first in the request's
transaction and every change to the data bumps it at commit, so a publish, unpublish or edit is visible
on the very next request in every process; the TTL only bounds what no version tracks (enrollment and
rating counters, bulk loads). Signed-in callers are never served from the cache (their answers carry a
per-viewer block).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.cache import current_version
from lms.core.runtime import Runtime


def json_response(model: BaseModel) -> Response:
    """The model as FastAPI would send it for its response_model (aliases, nulls kept), serialized once
    by pydantic-core instead of dumped, re-validated and re-encoded."""
    return Response(content=model.__pydantic_serializer__.to_json(model, by_alias=True), media_type="application/json")


async def public_answer(
    request: Request,
    rt: Runtime,
    session: AsyncSession,
    family: str,
    compute: Callable[[], Awaitable[BaseModel]],
) -> Response:
    """``compute()`` as JSON, reused for anonymous callers until ``family`` changes or the TTL passes."""
    cache = rt.catalog_cache
    if not cache.enabled or "authorization" in request.headers:
        return json_response(await compute())
    key = (
        "answer",
        family,
        await current_version(session, family),
        request.url.path,
        tuple(sorted(request.query_params.multi_items())),
    )
    body = cache.get(key)
    if body is None:
        body = json_response(await compute()).body
        cache.set(key, body)
    return Response(content=body, media_type="application/json")
