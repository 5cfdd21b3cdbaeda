"""Search text kept out of URLs.

What a user searches for on a page about people is often personal data itself (a phone,
a name, a sentence from a customer's answer). In a URL it would be kept by the access log,
the browser's history and the Referer header of the next request. So such a search form is
POSTed; the view keeps the text in the user's session under a random token and redirects to
a URL that carries the token (``?s=…``) instead. The page, its pagination and its exports
read the text back by the token; a token the session does not know (expired, another
user's, made up) searches for nothing.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest

from guanxi.core.crypto import cipher

PARAM = "s"  # the query-string parameter that carries the token
KEPT = 20  # searches kept per session and area: the newest, so back/forward still work


def remember(request: HttpRequest, area: str, query: str) -> str:
    """Keep ``query`` in the session under a new token (per area) and return the token."""
    key = f"searches:{area}"
    searches: dict[str, str] = request.session.get(key, {})
    token = secrets.token_urlsafe(9)
    searches[token] = cipher().encrypt(query)
    request.session[key] = dict(list(searches.items())[-KEPT:])
    return token


def recall(request: HttpRequest, area: str, token: str | None = None) -> str | None:
    """The search text of ``token`` (by default the request's ``?s=``): "" when there is
    no token, None when the token is unknown (the page says the search has expired)."""
    token = request.GET.get(PARAM, "") if token is None else token
    if not token:
        return ""
    sealed = request.session.get(f"searches:{area}", {}).get(token)
    if not isinstance(sealed, str):
        return None
    try:
        return cipher().decrypt(sealed)
    except Exception:  # kept before the text was encrypted, or under another key
        return None
