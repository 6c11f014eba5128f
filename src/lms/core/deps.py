"""FastAPI dependencies shared by every domain: the runtime and the per-request unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import unit_of_work
from lms.core.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async: FastAPI runs a plain-def dependency in the thread pool, a thread hop on every request.
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(rt: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(rt.sessionmaker) as session:
        yield session


# scope="function": commit before the response is sent, so a client never sees success for a
# change that then fails to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
