"""Dashboard responses. Money is integer minor units with its currency."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from lms.analytics.service import Granularity


class Revenue(BaseModel):
    currency: str
    amount: int = Field(description="Sum of successful payments in minor units")
    payments: int


class SiteFigures(BaseModel):
    registrations: int
    enrollments: int
    completions: int
    lesson_completions: int
    quiz_submissions: int
    quiz_passes: int
    quiz_pass_rate: float | None = Field(description="passes / submissions; null without submissions")
    certificates: int
    active_users_avg: float = Field(description="Mean daily active users over the period's days")
    revenue: list[Revenue]


class SitePoint(SiteFigures):
    period: date = Field(description="First day of the bucket (ISO weeks start on Monday)")


class SiteTotals(SiteFigures):
    active_users_peak: int


class AdminSummary(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    granularity: Granularity
    totals: SiteTotals
    series: list[SitePoint]


class CourseFigures(BaseModel):
    enrollments: int
    completions: int
    lesson_completions: int
    quiz_submissions: int
    quiz_passes: int
    quiz_pass_rate: float | None
    quiz_average_score: float | None = Field(description="Mean score percent of the submissions")
    certificates: int
    revenue: list[Revenue]


class CoursePoint(CourseFigures):
    period: date


class CourseTotals(CourseFigures):
    completion_rate: float | None = Field(description="completions / enrollments within the range")


class AllTime(BaseModel):
    enrollments: int
    completions: int
    completion_rate: float | None


class ProgressBucket(BaseModel):
    lessons_completed: int
    learners: int


class CourseReport(BaseModel):
    course_id: str
    from_: date = Field(serialization_alias="from")
    to: date
    granularity: Granularity
    totals: CourseTotals
    all_time: AllTime
    progress_distribution: list[ProgressBucket]
    series: list[CoursePoint]
