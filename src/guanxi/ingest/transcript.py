"""Plain-text chat transcripts as agents save them from their IM client (千牛, 京麦, …).

A message starts with a header line — the sender's nickname and the time, either
``小美 2024-06-18 10:00:01`` or ``小美(2024-06-18 10:00:01):`` (full-width brackets and
colon too) — followed by the message's lines up to the next header. The shop's agent
nicknames tell agents from customers; a sub-account written ``店铺名:小美`` matches ``小美``.
A customer's nickname is their buyer id. Lines before the first header are rejected, as is
a file with no header at all.

The reader yields the columns of the generic chat mapping (客户, 客服, 发送方, 时间, 内容),
so transcripts go through the same validation and writing as CSV chat exports.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

import pyarrow as pa

from guanxi.ingest.messages import gettext_noop
from guanxi.ingest.readers import BATCH_ROWS, ROW, FileRejectedError, Source, detect_encoding

_TIME = r"(\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)"
_HEADERS = (
    re.compile(rf"^(?P<who>.+?)\s*[(（]{_TIME}[)）]\s*[:：]?\s*$"),
    re.compile(rf"^(?P<who>.+?)\s+{_TIME}\s*$"),
)
COLUMNS = ("客户", "客服", "发送方", "时间", "内容")


def _header(line: str) -> tuple[str, str] | None:
    for pattern in _HEADERS:
        match = pattern.match(line.strip())
        if match:
            return match.group("who").strip(), match.group(2)
    return None


def _agent_name(who: str, agents: Collection[str]) -> str | None:
    if who in agents:
        return who
    _shop, sep, sub = who.rpartition(":")
    if not sep:
        _shop, sep, sub = who.rpartition("：")
    return sub if sep and sub in agents else None


def read_transcript(source: Source, agent_names: Collection[str]) -> Iterator[pa.RecordBatch]:
    if not agent_names:
        raise FileRejectedError(
            gettext_noop(
                "%(file)s：聊天记录 TXT 要靠店铺客服的昵称分辨客服和顾客，但客服名单是空的；"
                "请先在客服名单中添加客服及其昵称"
            ),
            file=source.display_name,
        )
    encoding = source.encoding or detect_encoding(source.path, source.display_name)
    rows: list[tuple[str | None, str | None, str, str, str]] = []
    numbers: list[int] = []
    customer: str | None = None
    current: list[str] | None = None  # the open message: who, agent, sender, time, text
    start = 0
    size = max(source.path.stat().st_size, 1)
    consumed = 0

    def close() -> None:
        if current is not None:
            who, agent, sender, time, text = current
            rows.append(
                (who if sender == "客户" else customer, agent or None, sender, time, text.strip())
            )
            numbers.append(start)

    with source.path.open(encoding=encoding) as f:
        for number, line in enumerate(f, start=1):
            consumed += len(line.encode(encoding))
            header = _header(line)
            if header is None:
                if current is None:
                    if line.strip():
                        raise FileRejectedError(
                            gettext_noop(
                                "文件 %(file)s 不像聊天记录：第 %(line)s 行之前没有"
                                "“昵称 2024-06-18 10:00:01”这样的消息开头；请检查数据类型和文件"
                            ),
                            file=source.display_name,
                            line=number,
                        )
                    continue
                current[4] += line
                continue
            close()
            who, time = header
            agent = _agent_name(who, agent_names)
            if agent is None:
                customer = who
                current = [who, "", "客户", time, ""]
            else:
                current = ["", agent, "客服", time, ""]
            start = number
            if len(rows) >= BATCH_ROWS:
                yield _batch(rows, numbers)
                rows, numbers = [], []
                source.done = min(1.0, consumed / size)
    close()
    if not rows and not numbers:
        raise FileRejectedError(
            gettext_noop("%(file)s：没有找到任何消息"), file=source.display_name
        )
    # Agent lines before the customer's first line belong to that customer too.
    first_customer = next((r[0] for r in rows if r[2] == "客户"), None)
    rows = [(r[0] or first_customer, *r[1:]) for r in rows]
    source.done = 1.0
    yield _batch(rows, numbers)


def _batch(
    rows: list[tuple[str | None, str | None, str, str, str]], numbers: list[int]
) -> pa.RecordBatch:
    columns = [pa.array([r[i] for r in rows], pa.string()) for i in range(len(COLUMNS))]
    return pa.RecordBatch.from_arrays(
        [*columns, pa.array(numbers, pa.int64())], names=[*COLUMNS, ROW]
    )
