"""Staging a whole file: good rows to Parquet, problems beside them, progress reported."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from guanxi.ingest.stage import stage
from tests.messages import english

HEADER = (
    "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间,联系手机,身份证号\n"
)


def test_stage_splits_good_rows_from_problems(tmp_path: Path) -> None:
    path = tmp_path / "订单报表.csv"
    path.write_bytes(
        (
            HEADER
            + '="1001",小王,12.50,交易成功,2024-01-05 08:00:00,2024-01-05 08:01:00,'
            + "13800138000,110101199001011234\n"
            + "1002,小李,abc,交易成功,2024-01-05 09:00:00,,,\n"
            + "1003,小张,3,交易关闭,2024/1/6,,,\n"
        ).encode("gbk")
    )
    seen: list[float] = []
    staged = stage(
        path,
        kind_name="orders",
        platform="taobao",
        time_zone="Asia/Shanghai",
        workdir=tmp_path / "run",
        progress=seen.append,
    )
    assert staged.encoding == "gb18030"
    assert (staged.rows_read, staged.rows_good, staged.rows_bad) == (3, 2, 1)
    assert staged.resolved.dropped == ("身份证号",)
    good = pq.read_table(staged.staged_path)
    assert good.column("order_id").to_pylist() == ["1001", "1003"]
    assert "身份证号" not in good.column_names
    problems = pq.read_table(staged.problems_path).to_pylist()
    assert problems == [
        {
            "file": "订单报表.csv",
            "row": 3,
            "column": "买家实际支付金额",
            "value": "abc",
            "reason": '{"p": {}, "t": "不是金额：应为 128.50 这样的数字（最多两位小数）"}',
        }
    ]
    assert english(problems[0]["reason"]) == (
        "not an amount: expected a number like 128.50 (at most 2 decimals)"
    )
    assert seen and seen[-1] == 1.0
    assert staged.preview[0]["订单编号"] == '="1001"'
