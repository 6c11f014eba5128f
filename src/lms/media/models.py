"""An uploaded file: its metadata here, its bytes under ``Settings.media_dir/<course_id>/<id>``."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, IdMixin, TimestampMixin


class MediaFile(IdMixin, TimestampMixin, Base):
    __tablename__ = "media_files"

    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False, index=True
    )
    uploaded_by: Mapped[str | None] = mapped_column(String(36), ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # Public files (course thumbnails) are served to anyone; the rest only through signed links.
    is_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
