"""Email preferences as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from lms.emails.models import SECURITY_KINDS, EmailKind


class EmailPreference(BaseModel):
    kind: EmailKind
    label: str
    enabled: bool
    locked: bool = Field(description="Security emails cannot be turned off")


class EmailPreferencesRead(BaseModel):
    preferences: list[EmailPreference]


class EmailPreferencesUpdate(BaseModel):
    preferences: dict[EmailKind, bool] = Field(
        description='Kinds to change, e.g. {"digest": false}; kinds left out keep their setting'
    )

    @model_validator(mode="after")
    def _security_stays_on(self) -> EmailPreferencesUpdate:
        locked = sorted(k.value for k, on in self.preferences.items() if k in SECURITY_KINDS and not on)
        if locked:
            raise ValueError(f"security emails cannot be turned off: {', '.join(locked)}")
        return self


class UnsubscribeResult(BaseModel):
    kind: EmailKind
    enabled: bool
