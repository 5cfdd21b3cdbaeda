"""Survey links: signed over the invitation's nonce with the survey salt; forged, tampered,
reused, expired links and closed surveys are refused with their own code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing

from guanxi.satisfaction import answering, links, services
from guanxi.satisfaction.links import LinkError
from tests.satisfaction.survey_helpers import T0, full_answers, invitation, open_survey

pytestmark = pytest.mark.django_db


def _code(token: str, at: dt.datetime) -> str:
    with pytest.raises(LinkError) as caught:
        links.invitation_of_token(token, at)
    return caught.value.code


def test_a_link_opens_until_it_is_used_expires_or_the_survey_closes():
    survey = open_survey(link_days=14)
    inv = invitation(survey)
    token = links.token_for(inv)
    assert links.path_for(inv) == f"/satisfaction/s/{token}/"
    assert links.invitation_of_token(token, T0 + dt.timedelta(days=13)) == inv
    # 14 days: valid until T0 + 14 d exclusive.
    assert inv.expires_at == T0 + dt.timedelta(days=14)
    assert _code(token, T0 + dt.timedelta(days=14)) == "expired"

    answering.submit(inv, full_answers(survey), at=T0 + dt.timedelta(days=1))
    assert _code(token, T0 + dt.timedelta(days=2)) == "used"

    other = invitation(survey, key=None)
    services.close_survey(survey, T0 + dt.timedelta(days=3))
    assert _code(links.token_for(other), T0 + dt.timedelta(days=4)) == "closed"


def test_forged_and_tampered_tokens_are_refused():
    survey = open_survey()
    inv = invitation(survey)
    token = links.token_for(inv)
    # One character changed in the signature.
    last = "A" if token[-1] != "A" else "B"
    assert _code(token[:-1] + last, T0) == "tampered"
    assert _code(token[:-3], T0) == "tampered"  # cut short
    # A well-signed token over a nonce that is no invitation's.
    assert _code(signing.dumps("0" * 32, salt=links.SALT), T0) == "tampered"
    # The service desk's CSAT salt does not open a survey with the same nonce.
    assert _code(signing.dumps(inv.nonce, salt="guanxi.servicedesk.csat"), T0) == "tampered"
    assert _code("not-a-token", T0) == "tampered"
