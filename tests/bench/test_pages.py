"""The page benchmark's assumptions about the product, checked on a live server (Django's,
in-process) over the small demo: its URLs answer 200 without form errors, the login through
the form works, the agent and customer links are found, and the stale banner it looks for
is the one the product shows. Nothing here is timed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import pages
from guanxi import demo
from guanxi.imports import derived
from guanxi.lake import Lake
from tests.engines import installed_lake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_shop(tmp_path: Path, transactional_db: None) -> Iterator[Lake]:
    for lake in installed_lake(tmp_path / "lake"):
        demo.build("small", 5, lake)
        yield lake


def test_every_page_of_the_bench_answers_on_the_small_demo(
    live_server, make_user, demo_shop: Lake
) -> None:
    manager = make_user("manager")
    client = pages.Client(int(live_server.url.rsplit(":", 1)[1]), timeout=120)
    client.login(manager.username, manager.password)

    before = client.get("/store/")  # the derived tables are not built yet
    assert before.status == 200 and before.stale and before.problems() == ["stale banner"]

    derived.rebuild()
    agent = pages.first_agent(client)
    customer = pages.first_customer(client)
    # The warm-up pass only: its answers are checked like the timed ones.
    times = pages.time_pages(
        client, [(p, pages._filled(p.path, agent, customer)) for p in pages.PAGES], rounds=0
    )
    assert [(t.page.name, t.problems) for t in times] == [(p.name, []) for p in pages.PAGES]


def test_an_answer_reads_the_queued_note() -> None:
    note = '<div class="flash info" role="status" id="query-queued">本页排队等候了 2.5 秒。</div>'
    assert pages.Answer(200, 0.1, note).queued == 2.5
    assert pages.Answer(200, 0.1, "<p>ok</p>").queued is None


def test_p95_interpolates_between_the_nearest_samples() -> None:
    assert pages.p95([float(i) for i in range(1, 21)]) == pytest.approx(19.05)
    assert pages.p95([0.2]) == 0.2
