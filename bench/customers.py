"""Creating N new customers alone: ``customers.identities.resolve_chunks`` on a fresh
database, the buyers given 50,000 at a time as an import gives them (the people of the
order report bench: unique buyers and phones, 9,973 names, one address).

Cases (each in its own process, the database created before the clock starts):
- bulk: as an import runs it (crypto in the helper process, SQLite's indexes rebuilt
  after the load);
- crypto in place: the same without the helper process;
- indexes kept: the same without dropping and rebuilding the indexes;
- before (with ``--before``): the code this replaced, ``identities.resolve`` chunk by chunk
  as its import called it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.import_orders import _fresh_django, use_source
from bench.shop import ROOT

CHUNK = 50_000
_base: Path | None = None


def setup(source: str | None = None) -> None:
    """A fresh, migrated database of the bench's own (not timed)."""
    global _base
    use_source(source)
    ROOT.mkdir(parents=True, exist_ok=True)
    _base = Path(tempfile.mkdtemp(prefix="bench-customers-", dir=ROOT))
    _fresh_django(_base)
    from guanxi.core import crypto

    crypto.cipher()  # the key file is created here, not while timed


def _people(count: int) -> list[list[Any]]:
    from guanxi.customers.identities import Person

    people = [
        Person(
            buyer=f"tb_buyer{i}",
            name=f"顾客{i % 9973}",
            mobile=f"139{i:08d}",
            address="浙江省杭州市西湖区文三路1号",
        )
        for i in range(count)
    ]
    return [people[i : i + CHUNK] for i in range(0, count, CHUNK)]


def run(count: int, way: str) -> dict[str, Any]:
    from guanxi.customers import identities

    chunks = _people(count)  # built before the clock starts: an import streams them
    start = time.perf_counter()
    if way == "before":
        from guanxi.imports.services import _large_page_cache  # type: ignore[attr-defined]

        with _large_page_cache():
            created = sum(identities.resolve("taobao", chunk).created for chunk in chunks)
        seconds = time.perf_counter() - start
        if _base is not None:
            shutil.rmtree(_base, ignore_errors=True)
        return {"created": created, "seconds": seconds}
    if way == "indexes kept":
        identities.REBUILD_MIN = 10**12
    columns = [identities.People.of(chunk) for chunk in chunks]  # as an import reads them
    start = time.perf_counter()
    result = identities.resolve_chunks(
        "taobao", columns, expected=count, helper=False if way == "crypto in place" else None
    )
    seconds = time.perf_counter() - start
    if _base is not None:
        shutil.rmtree(_base, ignore_errors=True)
    return {"created": result.created, "seconds": seconds}
