"""Shared fixtures: a fresh lake per test, the parity tests' SparkSession, the role groups,
and one user per role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from guanxi.lake import Lake
from tests.engines import installed_lake


@pytest.fixture
def lake(tmp_path: Path) -> Iterator[Lake]:
    """An empty lake, installed as the process-wide default for the test."""
    yield from installed_lake(tmp_path / "lake")


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """The test run's one local SparkSession (the ``spark`` marker's tests share it)."""
    from tests.engines import start_spark

    session = start_spark()
    yield session
    session.stop()


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


@pytest.fixture
def roles(db: None) -> None:
    from guanxi.accounts.services import roles_ensure

    roles_ensure()


@pytest.fixture
def make_user(roles: None):
    from guanxi.accounts.services import user_create

    def make(role: str, username: str | None = None, agent_id: str = "") -> Credentials:
        new = user_create(username=username or f"{role}1", role=role, agent_id=agent_id)
        return Credentials(new.username, new.password)

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests need Django's live server in a sync Playwright test.
    if any(item.get_closest_marker("browser") for item in items):
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def audit_log_emptied_afterwards() -> Iterator[None]:
    """A transactional test's audit entries are committed, and the flush that ends it deletes
    rows, which the log's append-only triggers refuse: lift them for the clean-up only."""
    yield
    _empty_audit_log()


def _empty_audit_log() -> None:
    import importlib

    from django.db import connection

    move = importlib.import_module("guanxi.core.migrations.0001_audit_log")
    with connection.schema_editor() as editor:
        move._drop_triggers(editor, move.NEW)
        editor.execute(f"DELETE FROM {move.NEW}")
        move._create_triggers(editor, move.NEW)


@pytest.fixture(autouse=True)
def _audit_log_emptied_after_live_server_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Signing in through the login page is audited, so every browser test leaves entries:
    empty the log before the live server's flush (set up first, torn down after this)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("live_server")
    request.getfixturevalue("transactional_db")
    yield
    _empty_audit_log()


@pytest.fixture(autouse=True)
def _shop_language() -> Iterator[None]:
    """Each test starts in the shop's language: a request in English (Accept-Language) leaves
    its language active in the thread, which would otherwise leak into the next test."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
