"""The overview (总览与运行), the run-now forms, the run detail, the poll endpoint and the
history's exports, with role checks and both languages."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from guanxi.insight.job_api import FitFailed
from guanxi.insight.models import ModelRun, RunState
from tests.factories import login
from tests.insight.conftest import FakeJob

pytestmark = pytest.mark.django_db


def test_overview_runs_a_family_and_shows_its_figures(
    client: Client, make_user, fake_clv: FakeJob
) -> None:
    fake_clv.metrics = {"customers": 1234, "r": 0.2434, "curve": [1, 2, 3]}
    login(client, make_user, "manager")
    page = client.get("/insight/").content.decode()
    assert "客户洞察" in page and 'id="family-clv"' in page and "还没有成功的运行" in page
    answer = client.post("/insight/run/clv/", {"clv-margin": "0.25", "clv-months": "6"})
    assert answer.status_code == 302
    run = ModelRun.objects.get()
    assert (run.state, run.serving, run.params["margin"], run.params["months"]) == (
        RunState.DONE, True, 0.25, 6,
    )  # fmt: skip
    page = client.get("/insight/").content.decode()
    assert "客户数" in page and "1,234" in page  # the headline figure, named
    assert f'data-run="{run.pk}"' in page and "width: 100%" in page
    detail = client.get(f"/insight/runs/{run.pk}/").content.decode()
    assert "margin" in detail and "0.25" in detail and "curve" in detail and "1, 2, 3" in detail
    poll = client.get(f"/insight/runs/progress.json?ids={run.pk}").json()
    assert poll["runs"] == [
        {"id": run.pk, "state": "done", "state_label": "已完成", "progress": 100, "step": "",
         "done": True},
    ]  # fmt: skip
    assert client.get("/insight/runs/progress.json?ids=x").status_code == 400


def test_bad_parameters_are_shown_beside_the_field(client: Client, make_user, fake_clv) -> None:
    login(client, make_user, "manager")
    answer = client.post("/insight/run/clv/", {"clv-margin": "1.5"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "请填写 0.0001 至 1.0 之间的数字。" in page and '<details class="run-now" open>' in page
    assert not ModelRun.objects.exists()


def test_a_failed_run_says_why_in_the_pages_language(client: Client, make_user, fake_clv) -> None:
    login(client, make_user, "manager")
    client.post("/insight/run/clv/", {})
    fake_clv.fail = FitFailed("数据太少：只有 2 位客户", "too little data: only 2 customers")
    client.post("/insight/run/clv/", {})
    failed = ModelRun.objects.get(state=RunState.FAILED)
    page = client.get("/insight/").content.decode()
    assert "失败：数据太少：只有 2 位客户" in page
    client.cookies["django_language"] = "en"
    english = client.get("/insight/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "too little data: only 2 customers" in english and "Customer insight" in english
    assert "Traceback" not in english
    fake_clv.fail = KeyError("x")
    client.post("/insight/run/clv/", {})
    detail = client.get(
        f"/insight/runs/{failed.pk + 1}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "internal error" in detail and "KeyError" not in detail


def test_roles(client: Client, make_user, fake_clv) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/insight/").status_code == 403
    client.logout()
    login(client, make_user, "marketing")
    page = client.get("/insight/").content.decode()
    assert "客户洞察" in page and "立即运行" not in page  # reads, cannot run
    assert client.post("/insight/run/clv/", {}).status_code == 403
    assert not ModelRun.objects.exists()


def test_history_exports(client: Client, make_user, fake_clv) -> None:
    import openpyxl

    fake_clv.metrics = {"note": '=HYPERLINK("x")'}
    login(client, make_user, "manager")
    client.post("/insight/run/clv/", {})
    csv_text = client.get("/insight/runs/export.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("编号,模型,状态,在用,进度")
    assert ",已完成,是,100%," in csv_text
    book = openpyxl.load_workbook(io.BytesIO(client.get("/insight/runs/export.xlsx").content))
    cells = [c.value for row in book.active.iter_rows() for c in row]
    assert "已完成" in cells and not any(str(c).startswith("=") for c in cells if c)
    assert client.get("/insight/runs/export.pdf").status_code == 404
