"""Email: a dedupe key so scheduled emails (due-date reminders, digests) go out once per subject.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02 15:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("email_messages") as batch:
        batch.add_column(sa.Column("dedupe_key", sa.String(200), nullable=True))
        # NULLs never collide on any of the three backends, so ordinary emails are unaffected.
        batch.create_index("ux_email_messages_dedupe_key", ["dedupe_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("email_messages") as batch:
        batch.drop_index("ux_email_messages_dedupe_key")
        batch.drop_column("dedupe_key")
