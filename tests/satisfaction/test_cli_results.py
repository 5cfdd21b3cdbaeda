"""``guanxi surveys nps FILE.csv``: the JSON exactly, the encodings, and bad rows named by
file, row and column with exit status 2 and no result printed."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


def nps(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("surveys", "nps", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "scores.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_json_exactly_for_ten_scores(tmp_path: Path) -> None:
    # 5 promoters, 3 passives, 2 detractors → NPS 30; Var = (.7 − .09)/10 = .061,
    # 1.96·√.061 = .484085 → ±48.41 → [−18.41, 78.41]
    rows = "订单,score\n" + "".join(
        f"A{i},{s}\n" for i, s in enumerate([9, 10, 10, 9, 9, 7, 8, 8, 6, 0])
    )
    assert json.loads(nps(write(tmp_path, rows))) == {
        "nps": 30.0,
        "promoters": 5,
        "passives": 3,
        "detractors": 2,
        "n": 10,
        "low": -18.41,
        "high": 78.41,
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_bom_and_gb18030_files(tmp_path: Path, encoding: str) -> None:
    # 2 promoters, 1 detractor of 3: NPS = 33.33; Var = (1 − 1/9)/3 = .296296, √ = .544331,
    # × 1.96 = 1.066889 → ±106.69 → [−73.36, 140.02] → high clipped to 100
    path = write(tmp_path, "客户,score\n张三,10\n李四,9\n王五,3\n\n", encoding)
    assert json.loads(nps(path)) == {
        "nps": 33.33,
        "promoters": 2,
        "passives": 0,
        "detractors": 1,
        "n": 3,
        "low": -73.36,
        "high": 100.0,
    }


def test_table_format(tmp_path: Path) -> None:
    text = nps(write(tmp_path, "score\n9\n"), "--format", "table")
    assert "100.0" in text and "rough" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("score\n9\n\n", None),  # a blank line is skipped: fine
        ("id,score\n1,9\n2,\n", "row 3: empty"),
        ("score\n9\n8.5\n", "row 3: '8.5' is not a whole number"),
        ("score\n9\n十\n", "row 3: '十' is not a whole number"),
        ("score\n11\n", "row 2: 11 is outside 0–10"),
        ("score\n-1\n", "row 2: -1 is outside 0–10"),
        ("分数\n9\n", "no column 'score' in the header row (row 1; columns: '分数')"),
        ("score\n", "no rows under the header"),
    ],
)
def test_bad_rows_exit_2_naming_file_row_and_column(tmp_path, content, expected) -> None:
    path = write(tmp_path, content, name="回访.csv")
    out = StringIO()
    if expected is None:
        call_command("surveys", "nps", str(path), stdout=out)
        assert json.loads(out.getvalue())["n"] == 1
        return
    with pytest.raises(CommandError) as caught:
        call_command("surveys", "nps", str(path), stdout=out)
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert message.startswith("回访.csv") and expected in message
    if "row 1" not in expected and "no rows" not in expected:
        assert "column 'score'" in message
    assert out.getvalue() == ""  # nothing printed as a result


def test_many_bad_rows_are_counted_and_a_missing_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "score\n" + "x\n" * 8)
    with pytest.raises(CommandError, match=r"row 2: 'x'.*row 6: 'x' .*\(and 3 more\)"):
        nps(path)
    with pytest.raises(CommandError, match="no such file"):
        nps(tmp_path / "none.csv")


@pytest.mark.django_db
def test_results_command_json_and_xlsx(tmp_path: Path) -> None:
    from tests.satisfaction.results_data import feedback_survey

    fb = feedback_survey()
    out = StringIO()
    call_command(
        "surveys", "results", str(fb.survey.pk), "--from", "2026-10-01", "--to", "2026-11-30",
        "--format", "json", stdout=out,
    )  # fmt: skip
    body = json.loads(out.getvalue())
    assert body["period"] == {"start": "2026-10-01", "end": "2026-11-30"}
    # 5 of 8 answered; NPS (3 − 1)/5 = 40 (see test_results for the interval)
    assert body["overall"]["response_rate"] == 0.625 and body["overall"]["nps"]["nps"] == 40.0
    months = {g["key"]: g["nps"]["nps"] for g in body["by"]["period"]}
    assert months == {"2026-10": 100.0, "2026-11": 0.0}
    target = tmp_path / "r.xlsx"
    call_command(
        "surveys",
        "results",
        str(fb.survey.pk),
        "--format",
        "xlsx",
        "--output",
        str(target),
        stdout=StringIO(),
    )
    assert target.read_bytes()[:2] == b"PK"
    table = StringIO()
    call_command("surveys", "results", str(fb.survey.pk), stdout=table)
    assert "十月回访" in table.getvalue() and "62.50%" in table.getvalue()
    with pytest.raises(CommandError, match="no survey 999999") as caught:
        call_command("surveys", "results", "999999", stdout=StringIO())
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="give both days"):
        call_command(
            "surveys", "results", str(fb.survey.pk), "--from", "2026-10-01", stdout=StringIO()
        )
