"""The first-response primitive of ``python -m bench --only first-response``: pandas and
DuckDB compute the same mean, checked by hand on a frame small enough to read."""

from __future__ import annotations

import pandas as pd
import pytest

from bench import first_response


def _frame() -> pd.DataFrame:
    # s1: customer 10:00:00, agent 09:59:00 (before: not a reply), agent 10:00:30 → 30 s.
    # s2: customer 11:00:00 and 11:00:10, agent 11:01:30 → 90 s from the first question.
    # s3: agent only: no first response.
    rows = [
        (1, "2025-03-01 10:00:00", "customer"),
        (1, "2025-03-01 09:59:00", "agent"),
        (1, "2025-03-01 10:00:30", "agent"),
        (2, "2025-03-01 11:00:10", "customer"),
        (2, "2025-03-01 11:00:00", "customer"),
        (2, "2025-03-01 11:01:30", "agent"),
        (3, "2025-03-01 12:00:00", "agent"),
    ]
    return pd.DataFrame(
        {
            "session_id": [r[0] for r in rows],
            "sent_at": pd.to_datetime([r[1] for r in rows]),
            "sender": [r[2] for r in rows],
        }
    )


def test_pandas_and_duckdb_give_the_hand_computed_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_response, "_frame", _frame)
    first_response.setup_pandas()
    first_response.setup_duckdb_one_thread()
    assert first_response.run_pandas() == 60.0  # (30 + 90) / 2
    assert first_response.run_duckdb() == 60.0
