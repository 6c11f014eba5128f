"""HTTP face of search: course search with facets and highlights, and autocomplete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from lms.core.answers import public_answer
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.pagination import PageParams, page_params
from lms.courses.models import CourseLevel
from lms.courses.schemas import CatalogSort
from lms.courses.service import CATALOG_CACHE
from lms.search import service
from lms.search.schemas import SearchResults, Suggestions

router = APIRouter(prefix="/search", tags=["search"])


@router.get("/courses", response_model=SearchResults, response_model_exclude_none=False)
async def search_courses(
    request: Request,
    rt: RuntimeDep,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str, Query(max_length=500, description="Words to find; operators are treated as text")] = "",
    category: Annotated[str | None, Query(max_length=100, description="Category id or slug")] = None,
    level: CourseLevel | None = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    price: Literal["free", "paid"] | None = None,
    min_price: Annotated[int | None, Query(ge=0, le=1_000_000_000, description="Minor units")] = None,
    max_price: Annotated[int | None, Query(ge=0, le=1_000_000_000, description="Minor units")] = None,
    instructor: Annotated[str | None, Query(max_length=36, description="Instructor user id")] = None,
    sort: CatalogSort = "relevance",
) -> Response:
    """Published courses matching every word (as a prefix) of ``q`` in the title, subtitle, tags,
    description, instructor names or lesson titles; title matches rank first. Facet counts apply every
    filter except the facet's own."""
    filters = service.SearchFilters(
        category=category,
        level=level.value if level else None,
        language=language,
        price=price,
        min_price=min_price,
        max_price=max_price,
        instructor=instructor,
        sort=sort,
    )
    # The same answer for everyone (published courses only), so signed-in callers share it.
    return await public_answer(
        request,
        rt,
        session,
        CATALOG_CACHE,
        lambda: service.search_courses(session, q=q, filters=filters, page=page),
        shared=True,
    )


@router.get("/suggest", response_model=Suggestions)
async def suggest(
    request: Request,
    rt: RuntimeDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200, description="What has been typed so far")] = "",
) -> Response:
    """Autocomplete: up to 8 course titles starting with ``q`` or with a word starting with it."""

    async def compute() -> Suggestions:
        return Suggestions(suggestions=await service.suggest(session, q=q))

    return await public_answer(request, rt, session, CATALOG_CACHE, compute, shared=True)
