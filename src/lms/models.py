"""Every table of every domain, imported in one place for Alembic and the test harness.

One line per domain keeps merges of new domains trivial.
"""

# ruff: noqa: F401
from lms.analytics import models as analytics_models
from lms.auth import models as auth_models
from lms.certificates import models as certificates_models
from lms.core import cache as cache_models
from lms.core import scheduler as scheduler_models
from lms.core.db import Base
from lms.core.events import OutboxEvent, ProcessedEvent
from lms.courses import models as courses_models
from lms.emails import models as emails_models
from lms.enrollments import models as enrollments_models
from lms.media import models as media_models
from lms.notifications import models as notifications_models
from lms.payments import models as payments_models
from lms.progress import models as progress_models
from lms.quizzes import models as quizzes_models
from lms.reviews import models as reviews_models
from lms.search import models as search_models
from lms.users import models as users_models

__all__ = ["Base"]
