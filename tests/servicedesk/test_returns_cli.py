"""``guanxi returns check``: the JSON exactly, and bad input named by its option."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def check(*args: str) -> str:
    out = StringIO()
    call_command("returns", "check", *args, stdout=out)
    return out.getvalue()


def test_json_output_exactly() -> None:
    # Signed 06-01 23:59 → window 06-02 00:00 + 168 h → 06-09 00:00; asked 06-08 10:00: in.
    text = check(
        "--signed", "2025-06-01 23:59", "--requested", "2025-06-08 10:00",
        "--reason", "no-reason", "--format", "json",
    )  # fmt: skip
    assert json.loads(text) == {
        "eligible": True,
        "deadline": "2025-06-09T00:00:00+08:00",
        "shipping_paid_by": "buyer",
        "reasons": [
            {
                "code": "window-open",
                "text": "在七天无理由期限内申请（签收次日零时起168小时，截止 2025-06-09 00:00）",
            },
            {"code": "buyer-pays-shipping", "text": "非质量问题，由买家承担退货运费"},
        ],
    }


def test_json_in_english_with_conditions() -> None:
    text = check(
        "--signed", "2025-06-01 23:59", "--requested", "2025-06-08 10:00", "--reason",
        "no-reason", "--condition", "washed,tags-removed", "--format", "json", "--language", "en",
    )  # fmt: skip
    answer = json.loads(text)
    assert answer["eligible"] is False
    assert [r["code"] for r in answer["reasons"]] == [
        "window-open",
        "condition-washed",
        "condition-tags-removed",
        "buyer-pays-shipping",
    ]
    assert answer["reasons"][1]["text"] == "Washed: not returnable without reason"


def test_table_output() -> None:
    text = check(
        "--signed", "2025-06-01 10:00", "--requested", "2025-06-02 10:00", "--reason", "quality",
        "--kind", "repair", "--language", "en",
    )  # fmt: skip
    assert text.splitlines()[:4] == [
        "eligible          yes",
        "deadline          2025-06-09T00:00:00+08:00",
        "shipping_paid_by  seller",
        "reasons:",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--signed", "2025-06-01 2x", "--requested", "2025-06-08 10:00"],
            "--signed: '2025-06-01 2x' is not a time; write it as YYYY-MM-DD HH:MM (shop time)",
        ),
        (
            ["--signed", "2025-06-01 10:00", "--requested", "2025-05-30 10:00"],
            "--requested: 2025-05-30 10:00 is before the signing (2025-06-01 10:00); "
            "a request comes after the goods are signed for",
        ),
        (
            ["--signed", "2025-06-01 10:00", "--requested", "2025-06-02 10:00", "--condition",
             "wet"],
            "--condition: unknown wet; use any of washed, damaged, tags-removed, custom, "
            "special-size, incomplete-packaging",
        ),
    ],
)  # fmt: skip
def test_bad_input_names_the_option(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as error:
        check(*args, "--reason", "no-reason")
    assert str(error.value) == message
    assert error.value.returncode == 2
