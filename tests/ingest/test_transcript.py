"""IM transcripts: both header styles, multi-line messages, agents told from customers."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.ingest.readers import ROW, FileRejectedError, open_source
from tests.messages import english

TRANSCRIPT = """\
tb_小王 2024-06-18 10:00:01
在吗
这件有M码吗

某某旗舰店:小美(2024-06-18 10:00:30):
亲，在的哦～
M码有现货
tb_小王（2024-06-18 10:01:00）：
好的 我电话13812345678
"""


def test_transcript_lines_become_chat_rows(tmp_path: Path) -> None:
    path = tmp_path / "聊天记录.txt"
    path.write_bytes(TRANSCRIPT.encode("gbk"))
    _source, batches = open_source(path, agent_names={"小美", "小丽"})
    rows = pa.Table.from_batches(list(batches)).to_pylist()
    assert rows == [
        {"客户": "tb_小王", "客服": None, "发送方": "客户", "时间": "2024-06-18 10:00:01",
         "内容": "在吗\n这件有M码吗", ROW: 1},
        {"客户": "tb_小王", "客服": "小美", "发送方": "客服", "时间": "2024-06-18 10:00:30",
         "内容": "亲，在的哦～\nM码有现货", ROW: 5},
        {"客户": "tb_小王", "客服": None, "发送方": "客户", "时间": "2024-06-18 10:01:00",
         "内容": "好的 我电话13812345678", ROW: 8},
    ]  # fmt: skip


def test_not_a_transcript_or_no_agents_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("随便写的笔记\n小美 2024-06-18 10:00:01\n", encoding="utf-8")
    with pytest.raises(FileRejectedError, match=r"文件 notes\.txt 不像聊天记录：第 1 行之前"):
        list(open_source(path, agent_names={"小美"})[1])
    with pytest.raises(FileRejectedError) as caught:
        list(open_source(path)[1])
    assert english(caught.value).startswith(
        "notes.txt: a transcript needs the shop's agent nicknames"
    )


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_is_read_or_rejected_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.txt"
    try:
        path.write_bytes(text.encode("utf-8"))
    except UnicodeEncodeError:
        return
    try:
        _source, batches = open_source(path, agent_names={"小美"})
        for batch in batches:
            assert batch.num_rows >= 1
    except FileRejectedError:
        pass
