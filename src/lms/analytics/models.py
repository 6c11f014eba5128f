"""Analytics tables: the event store, daily rollups and the daily active users."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime


class AnalyticsEvent(Base):
    """Every tracked event, once: the primary key is the event's id, so a redelivery adds nothing."""

    __tablename__ = "analytics_events"
    __table_args__ = (
        Index("ix_analytics_events_type_occurred", "type", "occurred_at"),
        # Covers the per-course progress distribution (lessons completed per learner).
        Index("ix_analytics_events_course_type", "course_id", "type", "user_id"),
        Index("ix_analytics_events_user", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    course_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class AnalyticsDaily(Base):
    """One figure per (day, metric, course, currency). course_id '' is site-wide, currency '' is none.

    The key leads with course_id so a dashboard's range query (one course or site-wide) is one index
    range scan however many courses there are.
    """

    __tablename__ = "analytics_daily"
    __table_args__ = (PrimaryKeyConstraint("course_id", "day", "metric", "currency"),)

    course_id: Mapped[str] = mapped_column(String(36), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    metric: Mapped[str] = mapped_column(String(40), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False)


class AnalyticsActiveUser(Base):
    """Who was active on which day (the distinct users behind the daily-active-users figure)."""

    __tablename__ = "analytics_active_users"
    __table_args__ = (PrimaryKeyConstraint("day", "user_id"),)

    day: Mapped[date] = mapped_column(Date, nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), nullable=False)
