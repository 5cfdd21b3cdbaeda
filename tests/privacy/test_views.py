"""The request pages: managers open a request, read everything held, download it, correct,
record consent and erase; agents and marketing are refused and nothing happens."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from guanxi.privacy.models import Consent, PrivacyRequest
from tests.customers.helpers import KEY, MOBILE, NAME, customer, login
from tests.factories import orders_table

pytestmark = pytest.mark.django_db


def _open(client: Client, kind: str) -> PrivacyRequest:
    response = client.post(
        "/privacy/new/", {"customer_key": KEY, "kind": kind, "received_on": "2025-06-03"}
    )
    request = PrivacyRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/privacy/{request.pk}/"
    return request


def test_manager_finds_the_customer_and_opens_an_access_request(
    client: Client, make_user, lake: Lake
) -> None:
    customer()
    lake.write("orders", orders_table([("o1", KEY, "2024-06-17 10:00:00", None, "88.00")]))
    login(client, make_user, "manager")
    # Found by phone: the text is POSTed and the URL carries a token, never the phone.
    posted = client.post("/privacy/", {"q": MOBILE})
    assert posted.status_code == 302 and MOBILE not in posted["Location"]
    assert posted["Location"].startswith("/privacy/?s=")
    found = client.get(posted["Location"])
    assert f'data-customer="{KEY}"' in found.content.decode()
    # A phone in the query string is not searched for (it would be in the access log).
    assert f'data-customer="{KEY}"' not in client.get("/privacy/", {"q": MOBILE}).content.decode()
    assert "已过期" in client.get("/privacy/?s=made-up").content.decode()
    request = _open(client, "access")
    assert request.due_on.isoformat() == "2025-06-24"
    listing = client.get("/privacy/").content.decode()
    assert f'data-request="{request.pk}"' in listing and "2025-06-24" in listing

    page = client.get(f"/privacy/{request.pk}/")
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert NAME in html and MOBILE in html and "o1" in html
    document = json.loads(client.get(f"/privacy/{request.pk}/export.json").content)
    assert document["master"]["mobile"] == MOBILE
    assert [o["order_id"] for o in document["lake"]["orders"]] == ["o1"]
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get(f"/privacy/{request.pk}/export.xlsx").content)
    )
    assert book.sheet_names[:3] == ["master", "identities", "orders"]
    assert client.get(f"/privacy/{request.pk}/export.csv").status_code == 404
    accesses = list(
        AuditEntry.objects.filter(action="pipl_access").values_list("fields", flat=True)
    )
    assert accesses == ["all (xlsx)", "all (json)", "all (page)"]  # newest first

    client.post(f"/privacy/{request.pk}/done/", {"outcome": "sent by email"})
    request.refresh_from_db()
    assert (request.status, request.outcome, request.handled_by) == (
        "done",
        "sent by email",
        "manager1",
    )


def test_manager_corrects_records_consent_and_erases(client: Client, make_user, lake: Lake) -> None:
    customer()
    lake.write("orders", orders_table([("o1", KEY, "2024-06-17 10:00:00", None, "88.00")]))
    login(client, make_user, "manager")
    request = _open(client, "erasure")
    client.post(f"/privacy/{request.pk}/correct/", {"field": "city", "value": "宁波"})
    assert Customer.objects.get().city == "宁波"
    bad = client.post(
        f"/privacy/{request.pk}/correct/", {"field": "mobile", "value": "123"}, follow=True
    )
    assert "mobile: " in bad.content.decode()
    assert Customer.objects.get().mobile == MOBILE
    client.post(f"/privacy/{request.pk}/consent/", {"granted": "0", "source": "客服电话"})
    assert list(Consent.objects.values_list("granted", "source")) == [(False, "客服电话")]

    unconfirmed = client.post(f"/privacy/{request.pk}/erase/", {"confirm": ""}, follow=True)
    assert "请输入客户编号以确认删除" in unconfirmed.content.decode()
    assert Customer.objects.count() == 1
    client.post(f"/privacy/{request.pk}/erase/", {"confirm": KEY})
    assert Customer.objects.count() == 0
    owners = lake.to_arrow("orders").column("customer_key").to_pylist()
    assert len(owners) == 1 and owners[0].startswith("erased-")
    page = client.get(f"/privacy/{request.pk}/").content.decode()
    assert 'id="erased-note"' in page and NAME not in page and KEY not in page


@pytest.mark.parametrize("role", ["agent", "marketing"])
def test_other_roles_are_refused_and_nothing_happens(
    client: Client, make_user, lake: Lake, role: str
) -> None:
    person = customer()
    request = PrivacyRequest.objects.create(
        kind="erasure",
        customer=person,
        received_on="2025-06-03",
        due_on="2025-06-24",
        opened_by="manager1",
    )
    login(client, make_user, role)
    assert client.get("/privacy/").status_code == 403
    assert client.get(f"/privacy/{request.pk}/").status_code == 403
    assert client.get(f"/privacy/{request.pk}/export.json").status_code == 403
    new = {"customer_key": KEY, "kind": "access", "received_on": "2025-06-03"}
    assert client.post("/privacy/new/", new).status_code == 403
    assert client.post(f"/privacy/{request.pk}/erase/", {"confirm": KEY}).status_code == 403
    assert (
        client.post(f"/privacy/{request.pk}/correct/", {"field": "city", "value": "x"}).status_code
        == 403
    )
    assert Customer.objects.get().city == "杭州"
    assert PrivacyRequest.objects.count() == 1
    assert AuditEntry.objects.count() == 0


def test_pages_speak_english(client: Client, make_user, lake: Lake) -> None:
    customer()
    login(client, make_user, "admin")
    request = _open(client, "erasure")
    listing = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>PIPL requests</h1>" in listing and "Open requests" in listing
    page = client.get(f"/privacy/{request.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Erase this customer" in page and "Marketing consent" in page
    assert "删除该客户" not in page


def test_the_search_text_is_kept_encrypted_in_the_session(client: Client, make_user) -> None:
    from django.contrib.sessions.models import Session

    login(client, make_user, "manager")
    client.post("/privacy/", {"q": MOBILE})
    assert Session.objects.exists()  # (database sessions: the row is what is checked)
    stored = "".join(s.session_data for s in Session.objects.all())
    decoded = str([s.get_decoded() for s in Session.objects.all()])
    assert MOBILE not in stored and MOBILE not in decoded  # the row holds ciphertext only
