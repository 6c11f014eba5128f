"""Who is calling: the current user from the bearer token, and role requirements."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lms.core.deps import RuntimeDep, SessionDep
from lms.core.errors import ErrorCode, Forbidden, NotAuthenticated, NotFound
from lms.core.tokens import AccessClaims, TokenError
from lms.users import service as users_service
from lms.users.models import Role, User

bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


async def _claims(
    rt: RuntimeDep, request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> AccessClaims | None:
    if creds is None:
        if request.headers.get("authorization"):
            raise NotAuthenticated("Use 'Authorization: Bearer <token>'.", code=ErrorCode.INVALID_TOKEN)
        return None
    try:
        claims = rt.signer.verify(creds.credentials)
    except TokenError as exc:
        raise NotAuthenticated(
            str(exc), code=ErrorCode.TOKEN_EXPIRED if exc.expired else ErrorCode.INVALID_TOKEN
        ) from exc
    if await rt.kv.get(f"revoked-jti:{claims.jti}"):
        raise NotAuthenticated("This session has ended; sign in again.", code=ErrorCode.INVALID_TOKEN)
    return claims


ClaimsDep = Annotated[AccessClaims | None, Depends(_claims)]


async def optional_user(session: SessionDep, claims: ClaimsDep, request: Request) -> User | None:
    if claims is None:
        return None
    user = await users_service.get(session, claims.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated("This account is not active.", code=ErrorCode.INVALID_TOKEN)
    if user.tokens_valid_after is not None and claims.iat < int(user.tokens_valid_after.timestamp()):
        raise NotAuthenticated("This session has ended; sign in again.", code=ErrorCode.INVALID_TOKEN)
    request.state.claims = claims
    return user


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("Sign in to continue.")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, User]]:
    allowed = {r.value for r in roles}

    async def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden("Your role does not allow this action.")
        return user

    return check


AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
InstructorUser = Annotated[User, Depends(require_roles(Role.INSTRUCTOR, Role.ADMIN))]


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == Role.ADMIN.value


def ensure_owner_or_admin(user: User, owner_ids: set[str] | str, what: str = "resource") -> None:
    """Object-level rule: the owner (or one of the owners) or an admin; anyone else sees a 404."""
    owners = {owner_ids} if isinstance(owner_ids, str) else owner_ids
    if user.id not in owners and not is_admin(user):
        raise NotFound(f"No such {what}.")
