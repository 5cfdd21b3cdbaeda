import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_runs_on_the_database_the_run_asked_for() -> None:
    """The PostgreSQL pass really talks to PostgreSQL (and the default pass to SQLite)."""
    expected = "postgresql" if os.environ.get("GUANXI_TEST_EXPECT_POSTGRES") else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
