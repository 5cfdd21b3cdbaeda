"""The SLA pages: the at-risk/breached queue scoped by role, its export, the targets form
(bad values refused beside their field, nothing saved), the ticket panel, the command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import timezone

from guanxi.accounts.models import Agent
from guanxi.servicedesk.models import SlaSettings, SlaState, SlaTarget, Ticket, Tier
from tests.factories import login

pytestmark = pytest.mark.django_db


def open_ticket(minutes_ago: int, **fields) -> Ticket:
    # Service hours 00:00-24:00 every day below: business time = wall time, whatever the hour.
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Ticket.objects.create(
        kind="complaint", channel="chat", subject="退款纠纷", created_at=created, **fields
    )


@pytest.fixture
def queue():
    SlaSettings.objects.update_or_create(
        pk=1, defaults={"workday_hours": "00:00-24:00", "restday_hours": "00:00-24:00"}
    )
    mine = Agent.objects.create(agent_id="kf1", name="小李", team="售后组")
    other = Agent.objects.create(agent_id="kf2", name="小王", team="售前组")
    tickets = {
        # 普通: 60 min first response. 90 min ago, no answer: 30 min over.
        "mine_late": open_ticket(90, assignee=mine, team="售后组"),
        # 50 of 60 min (83 %): at risk, 10 min left.
        "team_risk": open_ticket(50, team="售后组"),
        "other_late": open_ticket(120, assignee=other, team="售前组"),
        "fresh": open_ticket(5, assignee=mine, team="售后组"),
    }
    out = io.StringIO()
    call_command("sla_sweep", stdout=out)
    assert out.getvalue().startswith("SLA clocks refreshed: 4 open tickets")
    return tickets


def test_agent_sees_own_and_team_tickets_manager_all(client, make_user, queue):
    assert Ticket.objects.get(pk=queue["mine_late"].pk).sla_state == SlaState.BREACHED
    login(client, make_user, "agent", agent_id="kf1")
    page = client.get("/servicedesk/sla/").content.decode()
    assert f'data-ticket="{queue["mine_late"].pk}"' in page
    assert f'data-ticket="{queue["team_risk"].pk}"' in page
    assert f'data-ticket="{queue["other_late"].pk}"' not in page
    assert f'data-ticket="{queue["fresh"].pk}"' not in page  # on track: not listed
    assert '<div class="value" id="count-breached">1</div>' in page
    assert "超时 30 分钟" in page  # 90 min used of 60
    csv = client.get("/servicedesk/sla/export.csv?which=breached").content.decode("utf-8-sig")
    assert [line.split(",")[0] for line in csv.splitlines()] == [
        "工单",
        f"#{queue['mine_late'].pk}",
    ]
    # No rights to the targets.
    assert client.get("/servicedesk/sla/targets/").status_code == 403

    client.logout()
    login(client, make_user, "manager")
    page = client.get("/servicedesk/sla/?which=breached").content.decode()
    assert f'data-ticket="{queue["other_late"].pk}"' in page
    assert f'data-ticket="{queue["team_risk"].pk}"' not in page
    xlsx = client.get("/servicedesk/sla/export.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_targets_form_refuses_bad_values_and_saves_good_ones(client, make_user, queue):
    login(client, make_user, "manager")
    good = {
        "workday_hours": "00:00-24:00",
        "restday_hours": "00:00-24:00",
        **{f"{t}_first_response": "60" for t in Tier.values},
        **{f"{t}_resolution": "720" for t in Tier.values},
        **{f"{t}_at_risk": "80" for t in Tier.values},
    }
    bad = good | {
        "workday_hours": "9点到18点",
        "ordinary_resolution": "30",  # shorter than the 60-min first response
        "difficult_at_risk": "150",
    }
    response = client.post("/servicedesk/sla/targets/", bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert '<div class="field-error" data-field="ordinary_resolution">' in page
    assert "不能短于首次响应时限" in page
    assert 'data-field="difficult_at_risk">请填写 10–99 之间的百分比' in page
    assert 'data-field="workday_hours">“9点到18点”不是时间段' in page
    assert not SlaTarget.objects.filter(resolution_minutes=30).exists()  # nothing saved
    assert SlaSettings.objects.get().workday_hours == "00:00-24:00"
    # 15 min first response for 普通 makes the 50-min ticket breached at once.
    response = client.post("/servicedesk/sla/targets/", good | {"ordinary_first_response": "15"})
    assert response.status_code == 302
    row = SlaTarget.objects.get(tier="ordinary")
    assert (row.first_response_minutes, row.at_risk_share) == (15, Decimal("0.80"))
    assert Ticket.objects.get(pk=queue["team_risk"].pk).sla_state == SlaState.BREACHED


def test_ticket_panel(queue):
    ticket = Ticket.objects.get(pk=queue["team_risk"].pk)
    html = Template("{% load sd_sla %}{% sla_panel ticket %}").render(Context({"ticket": ticket}))
    assert 'data-sla-state="at_risk"' in html
    # 50 of 60 min = 83 %; resolution 50 of 720 min = 7 %.
    assert "已用 50 分钟 / 目标 1 小时（83%）" in html
    assert "已用 50 分钟 / 目标 12 小时（7%）" in html
    assert "按店铺服务时间计时" in html
