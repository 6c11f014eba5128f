"""Short-lived reuse of public GET answers (the catalog, course pages, search, autocomplete).

An anonymous answer depends only on the URL and on the data, so it is kept as its JSON bytes under
(cache version, path, query) for ``catalog_cache_seconds``. The version is read first in the request's
transaction and every change to the data bumps it at commit, so a publish, unpublish or edit is visible
on the very next request in every process; the TTL only bounds what no version tracks (enrollment and
rating counters, bulk loads). An answer that depends on who asks (the course page's viewer block, an
instructor's own courses, an admin's status filter) is never cached for a signed-in caller; answers that
are the same for everyone (search, autocomplete, the public catalog) are passed ``shared=True`` and are
reused for signed-in callers too, the web app's usual case.
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
    *,
    shared: bool = False,
) -> Response:
    """``compute()`` as JSON, reused until ``family`` changes or the TTL passes: for anonymous callers, and
    with ``shared`` (the answer does not depend on who asks) for signed-in ones too."""
    cache = rt.catalog_cache
    if not cache.enabled or ("authorization" in request.headers and not shared):
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
