"""Request and response models of courses, categories, sections and lessons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from lms.core.markdown import MAX_MARKDOWN_CHARS
from lms.courses.models import CourseLevel, CourseStatus, LessonKind
from lms.media import links as media_links

MAX_PRICE_MINOR_UNITS = 100_000_000  # ₹10,00,000 / $1,000,000: anything above is a typo

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=1, max_length=100)]
Markdown = Annotated[str, Field(max_length=MAX_MARKDOWN_CHARS, description="Markdown (max 100,000 characters)")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Z]{2})?$", max_length=10)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


def _check_url(value: str | None) -> str | None:
    # http(s) links, or a path on this site (an uploaded media file); never javascript: or data:.
    if value is None:
        return None
    lowered = value.lower()
    if lowered.startswith(("http://", "https://")):
        return value
    if value.startswith("/") and not value.startswith("//"):
        return media_links.unsigned(value)
    raise ValueError("must be an http(s) URL or a path on this site")


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(ge=0, le=MAX_PRICE_MINOR_UNITS, description="Minor units (paise, cents)")
    currency: Literal["INR", "USD"] = "INR"


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    slug: Slug | None = None
    description: str = Field(default="", max_length=1000)
    position: int = Field(default=0, ge=0, le=10_000)


class CategoryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    slug: Slug | None = None
    description: str | None = Field(default=None, max_length=1000)
    position: int | None = Field(default=None, ge=0, le=10_000)


class CategoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str
    description: str
    position: int


class CategoryRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str


class _CourseFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("thumbnail_url", check_fields=False)
    @classmethod
    def _thumbnail(cls, v: str | None) -> str | None:
        return _check_url(v)

    @model_validator(mode="after")
    def _window(self) -> _CourseFields:
        opens = getattr(self, "enrollment_opens_at", None)
        closes = getattr(self, "enrollment_closes_at", None)
        if opens is not None and closes is not None and closes <= opens:
            raise ValueError("enrollment_closes_at must be after enrollment_opens_at")
        return self


class CourseCreate(_CourseFields):
    title: Title
    slug: Slug | None = None
    subtitle: str = Field(default="", max_length=300)
    description: Markdown = ""
    category_id: Id | None = None
    level: CourseLevel = CourseLevel.ALL_LEVELS
    language: Language = "en"
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    thumbnail_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    price: Price | None = None
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    enrollment_opens_at: AwareDatetime | None = None
    enrollment_closes_at: AwareDatetime | None = None
    prerequisite_ids: list[Id] = Field(default_factory=list, max_length=20)
    instructor_ids: list[Id] | None = Field(default=None, min_length=1, max_length=10)


class CourseUpdate(_CourseFields):
    """Only the fields sent change; null clears price (free), capacity, window, category, thumbnail."""

    title: Title | None = None
    slug: Slug | None = None
    subtitle: str | None = Field(default=None, max_length=300)
    description: Markdown | None = None
    category_id: Id | None = None
    level: CourseLevel | None = None
    language: Language | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    thumbnail_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    price: Price | None = None
    capacity: int | None = Field(default=None, ge=1, le=1_000_000)
    enrollment_opens_at: AwareDatetime | None = None
    enrollment_closes_at: AwareDatetime | None = None
    prerequisite_ids: list[Id] | None = Field(default=None, max_length=20)
    instructor_ids: list[Id] | None = Field(default=None, min_length=1, max_length=10)


class InstructorRef(BaseModel):
    id: str
    full_name: str


class RatingSummary(BaseModel):
    average: float = Field(description="0 when there are no ratings")
    count: int


class CourseCard(BaseModel):
    """What a catalog card needs."""

    id: str
    slug: str
    title: str
    subtitle: str
    thumbnail_url: str | None
    category: CategoryRef | None
    level: CourseLevel
    language: str
    tags: list[str]
    price: Price | None
    is_free: bool
    status: CourseStatus
    instructors: list[InstructorRef]
    rating: RatingSummary
    enrollment_count: int
    lesson_count: int
    duration_seconds: int
    capacity: int | None
    seats_left: int | None
    published_at: datetime | None
    created_at: datetime


class LessonOutline(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    kind: LessonKind
    is_preview: bool
    is_required: bool
    duration_seconds: int
    position: int


class SectionOutline(BaseModel):
    id: str
    title: str
    position: int
    lessons: list[LessonOutline]


class PrerequisiteRef(BaseModel):
    id: str
    slug: str
    title: str


class Viewer(BaseModel):
    enrolled: bool
    enrollment_id: str | None = None
    progress_percent: int | None = None
    completed_at: datetime | None = None
    last_lesson_id: str | None = None
    can_edit: bool = False


class CourseRead(CourseCard):
    description: str
    description_html: str
    enrollment_opens_at: datetime | None
    enrollment_closes_at: datetime | None
    prerequisites: list[PrerequisiteRef]
    sections: list[SectionOutline]
    viewer: Viewer | None = Field(description="Present for a signed-in caller")
    updated_at: datetime


class SectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title


class SectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title


class SectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    course_id: str
    title: str
    position: int


class SectionOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section_ids: list[Id] = Field(max_length=1000)


class LessonOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lesson_ids: list[Id] = Field(max_length=1000)


class _LessonUrls(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("video_url", "file_url", "link_url", check_fields=False)
    @classmethod
    def _urls(cls, v: str | None) -> str | None:
        return _check_url(v)


class LessonCreate(_LessonUrls):
    title: Title
    kind: LessonKind
    content: Markdown = ""
    video_url: Url | None = None
    file_url: Url | None = None
    link_url: Url | None = None
    is_preview: bool = False
    is_required: bool = True
    duration_seconds: int = Field(default=0, ge=0, le=1_000_000)


class LessonUpdate(_LessonUrls):
    title: Title | None = None
    kind: LessonKind | None = None
    content: Markdown | None = None
    video_url: Url | None = None
    file_url: Url | None = None
    link_url: Url | None = None
    is_preview: bool | None = None
    is_required: bool | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=1_000_000)


class LessonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    course_id: str
    section_id: str
    title: str
    kind: LessonKind
    content: str
    content_html: str
    video_url: str | None
    file_url: str | None
    link_url: str | None
    is_preview: bool
    is_required: bool
    duration_seconds: int
    position: int
    created_at: datetime
    updated_at: datetime


CatalogSort = Literal["relevance", "newest", "popular", "rating", "price", "price_desc", "title"]
