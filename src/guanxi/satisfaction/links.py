"""Signed survey links (no login), following the service desk's CSAT links
(``servicedesk.csat``): the token is ``django.core.signing`` over the invitation's random
nonce with a salt of its own, so it cannot be forged or guessed, and a token made for a CSAT
request does not open a survey (different salt). Expiry, single use and the survey's state
are read from the rows, not the token: the rows are the truth (the invitation list shows
when a link was made and whether it was used).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import UserInputError
from guanxi.satisfaction.models import Invitation, SurveyState

SALT = "guanxi.satisfaction.survey-link"


class LinkError(UserInputError):
    """A link that cannot be answered. ``code``: tampered (404), used, expired, closed (410)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def token_for(invitation: Invitation) -> str:
    return signing.dumps(invitation.nonce, salt=SALT)


def path_for(invitation: Invitation) -> str:
    """The public answer page of the invitation (relative; callers make it absolute)."""
    return reverse("satisfaction:answer", args=[token_for(invitation)])


def nonce_of(token: str) -> str:
    try:
        nonce = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkError(
            "this link is not valid (it was altered or cut short)", "tampered"
        ) from None
    if not isinstance(nonce, str):
        raise LinkError("this link is not valid (it was altered or cut short)", "tampered")
    return nonce


def invitation_of_token(token: str, at: dt.datetime | None = None) -> Invitation:
    """The invitation a link names, or ``LinkError`` saying why it cannot be answered."""
    nonce = nonce_of(token)
    invitation = Invitation.objects.select_related("survey").filter(nonce=nonce).first()
    if invitation is None:
        raise LinkError("this link is not valid (it was altered or cut short)", "tampered")
    check_open(invitation, at or timezone.now(), link=True)
    return invitation


def check_open(invitation: Invitation, at: dt.datetime, *, link: bool) -> None:
    """Refuse an invitation already answered, a link past its date, a survey not open.
    A phone entry (``link=False``) is not bound to the link's expiry: staff call when they
    can, while the survey is open."""
    if invitation.answered_at is not None:
        raise LinkError("this survey was already answered: thank you", "used")
    survey = invitation.survey
    if survey.state != SurveyState.OPEN:
        raise LinkError("this survey is no longer collecting answers", "closed")
    if link and invitation.expires_at <= at:
        raise LinkError(f"this link expired on {invitation.expires_at:%Y-%m-%d}", "expired")
