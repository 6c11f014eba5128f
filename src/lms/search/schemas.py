"""Response models of search."""

from __future__ import annotations

from pydantic import BaseModel, Field

from lms.courses.schemas import CourseCard


class Highlight(BaseModel):
    title: str = Field(description="The title, HTML-escaped, matched words in <mark>")
    snippet: str = Field(description="A passage of the course text, HTML-escaped, matched words in <mark>")


class SearchHit(CourseCard):
    highlight: Highlight


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class Facets(BaseModel):
    category: list[FacetValue]
    level: list[FacetValue]
    language: list[FacetValue]
    price: list[FacetValue]


class SearchResults(BaseModel):
    items: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: Facets
    did_you_mean: str | None = Field(default=None, description="A corrected query, when the typed one found nothing")


class Suggestion(BaseModel):
    title: str
    slug: str


class Suggestions(BaseModel):
    suggestions: list[Suggestion]
