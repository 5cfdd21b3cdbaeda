"""Agent and session ids that are not URL-friendly (issue 13 item 6): a platform nickname
such as ``店铺:售前/小美`` used to take the agents page down with NoReverseMatch."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from guanxi.lake import Lake
from guanxi.web.converters import text_id_from_url, text_id_to_url
from tests.factories import chats_table, login

SLASHED = "店铺:售前/小美"
SESSION = "tb/2024/06/18#1"
Q = "?start=2024-06-18&end=2024-06-18"


@pytest.fixture
def slashed_shop(lake: Lake) -> Lake:
    """One conversation answered by an agent whose id holds a slash, and one by ``..``."""
    lake.write(
        "chat_messages",
        chats_table(
            [
                (SESSION, "c1", "customer", None, "2024-06-18 10:00:00"),
                (SESSION, "c1", "agent", SLASHED, "2024-06-18 10:00:30"),
                ("s2", "c2", "customer", None, "2024-06-18 11:00:00"),
                ("s2", "c2", "agent", "..", "2024-06-18 11:01:00"),
            ]
        ),
    )
    return lake


@pytest.mark.django_db
def test_agents_page_links_an_agent_whose_id_holds_a_slash(
    client: Client, make_user, slashed_shop: Lake
) -> None:
    login(client, make_user, "manager")
    response = client.get(f"/performance/agents/{Q}")
    assert response.status_code == 200
    page = response.content.decode()
    detail = "/performance/agents/%E5%BA%97%E9%93%BA:%E5%94%AE%E5%89%8D~2F%E5%B0%8F%E7%BE%8E/"
    assert f'href="{detail}{Q.replace("&", "&amp;")}"' in page
    assert 'href="/performance/agents/~2E~2E/' in page

    agent = client.get(detail + Q)
    assert agent.status_code == 200
    assert agent.context["detail"].agent_id == SLASHED
    dots = client.get("/performance/agents/~2E~2E/" + Q)
    assert dots.status_code == 200 and dots.context["detail"].agent_id == ".."

    export = client.get(detail + "daily.xlsx" + Q)
    assert export.status_code == 200
    assert export["Content-Disposition"] == (
        "attachment; filename*=utf-8''guanxi-agent-"
        "%E5%BA%97%E9%93%BA%3A%E5%94%AE%E5%89%8D_%E5%B0%8F%E7%BE%8E-2024-06-18-2024-06-18.xlsx"
    )


@pytest.mark.django_db
def test_session_page_of_a_slashed_session_links_its_slashed_agent(
    client: Client, make_user, slashed_shop: Lake
) -> None:
    login(client, make_user, "manager")
    url = reverse("performance:session", args=[SESSION])
    assert url == "/performance/sessions/tb~2F2024~2F06~2F18%231/"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["conversation"].session_id == SESSION
    agent_url = reverse("performance:agent_detail", args=[SLASHED])
    assert f'href="{agent_url}"' in response.content.decode()


@pytest.mark.django_db
def test_api_takes_the_same_path_safe_ids(client: Client, make_user, slashed_shop: Lake) -> None:
    login(client, make_user, "manager")
    daily = client.get(f"/api/performance/agents/{text_id_to_url(SLASHED)}/daily{Q}")
    assert daily.status_code == 200 and daily.json()["agent"] == SLASHED
    session = client.get(f"/api/performance/sessions/{quote(text_id_to_url(SESSION))}")
    assert session.status_code == 200 and session.json()["session_id"] == SESSION


@pytest.mark.parametrize("segment", ["a~", "a~2", "a~zz", "~2f"])
def test_a_malformed_id_segment_is_not_found(segment: str) -> None:
    with pytest.raises(ValueError, match="malformed id segment"):
        text_id_from_url(segment)


@given(st.text())
def test_every_text_goes_to_a_path_segment_and_back(value: str) -> None:
    segment = text_id_to_url(value)
    assert segment and "/" not in segment and "\\" not in segment
    assert segment not in (".", "..")
    assert text_id_from_url(segment) == value
