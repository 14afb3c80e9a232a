"""Who may rerun benchmarks: Hugging Face user names listed in ``$MAINTAINERS`` (comma separated).

Both the Space's admin handlers and ``python -m benchmark requeue`` ask ``require_maintainer``;
the check lives server-side, so hiding the admin panel is a convenience, not the protection.
"""

from __future__ import annotations

import os

from benchmark.errors import UserInputError


class NotAuthorizedError(UserInputError, PermissionError):
    """The caller is anonymous or not a maintainer; the message says which."""


def maintainers(raw: str | None = None) -> frozenset[str]:
    """The configured maintainer user names, lower-cased (Hub user names are case-insensitive)."""
    raw = os.environ.get("MAINTAINERS", "") if raw is None else raw
    return frozenset(name.strip().lower() for name in raw.split(",") if name.strip())


def is_maintainer(username: str | None, allowed: frozenset[str] | None = None) -> bool:
    allowed = maintainers() if allowed is None else allowed
    return bool(username) and username.strip().lower() in allowed


def require_maintainer(username: str | None, allowed: frozenset[str] | None = None) -> str:
    """The user name if it belongs to a maintainer; ``NotAuthorizedError`` otherwise."""
    if not username:
        raise NotAuthorizedError("Reruns need a login: sign in with Hugging Face as a maintainer.")
    if not is_maintainer(username, allowed):
        raise NotAuthorizedError(f"Reruns are for maintainers only, and {username} is not one.")
    return username
