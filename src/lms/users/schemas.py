from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lms.users.models import Role

# The web app's interface languages.
Locale = Literal["en", "te"]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    full_name: str
    role: Role
    is_active: bool
    email_verified: bool
    created_at: datetime
    locale: Locale | None = Field(default=None, description="Interface language the user chose; null: not chosen")


class AdminUserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: bool | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=200)


class ProfileUpdate(BaseModel):
    """The fields to change; a field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    locale: Locale | None = Field(default=None, description="Interface language: en or te")

    @model_validator(mode="after")
    def _no_nulls(self) -> ProfileUpdate:
        # None means "left out"; an explicit null would silently change nothing.
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"leave out a field to keep it; null is not a value for: {', '.join(nulls)}")
        return self
