"""Figures counted once per state of the lake and the shop's settings, then read back.

A report, a trend or an agent's page counted from the derived tables still reads hundreds
of thousands of rows on a large shop (a month of rounds, sessions, orders): seconds per
click. But the figures change only when the lake does (an import, an undo, a merge, an
erasure) or when a setting they depend on does (rules, rotas, teams). So each selector's
result is kept on disk under a *token* naming exactly that state — every raw table's
version (and the stamp of its commit, so a lake re-created at the same path never passes
for the old one), the time zone and the settings the caller names — and is counted again
only when the token changes. It cannot be stale: a changed input is a different token, and
an entry is only ever written by a computation under its own token.

After a refresh of the derived tables the background task counts the pages' usual figures
ahead (``warm``), so the first click after an import is as fast as the next one.

Entries hold what the lake holds — counts, agent ids, pseudonymous customer keys — never a
name or free text (those are read from the master at request time). An erasure empties the
cache (``clear``) with the lake's history; backups leave it out (it lives with the derived
tables, in ``<lake>/_derived/_figures``, and is counted again on demand).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

import guanxi
from guanxi import lake

log = logging.getLogger(__name__)


def root() -> Path:
    """Beside the derived tables of a local lake (each lake its own entries); a remote
    lake's under the home's ``var/cache``."""
    shop = lake.get()
    if "://" not in shop.root:
        return Path(shop.derived.root) / "_figures"
    return Path(settings.GUANXI_HOME) / "var" / "cache" / "figures" / _digest(shop.root)


def enabled() -> bool:
    return bool(getattr(settings, "GUANXI_FIGURE_CACHE", True))


def lake_token() -> str:
    """The state of every raw table of the current lake: its path, and per table the
    version and the commit file's modification stamp (None: no table)."""
    from guanxi.lake.schema import TABLES  # here: the erasure's command imports this module

    shop = lake.get()
    # The code's version too: an upgrade may count differently (a rebuild clears as well).
    parts: list[Any] = [guanxi.__version__, shop.root, shop.engine_name, settings.TIME_ZONE]
    for name in sorted(TABLES):
        version = shop.version(name)
        stamp = None
        if version is not None and "://" not in shop.root:
            commit = Path(shop.path(name)) / "_delta_log" / f"{version:020d}.json"
            try:
                stamp = commit.stat().st_mtime_ns
            except FileNotFoundError:  # only a checkpoint left: the version alone
                stamp = None
        parts.append((name, version, stamp))
    return _digest(parts)


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:32]


def cached[T](kind: str, args: Any, compute: Callable[[], T], depends: Any = ()) -> T:
    """``compute()``'s value for ``kind`` with ``args``, from the cache when this state of
    the lake and ``depends`` (the settings the figures depend on, as a value with a stable
    ``repr``) has it, else computed and kept."""
    (value,) = cached_many(kind, [args], lambda missing: [compute()], depends)
    return value


def cached_many[T](
    kind: str,
    keys: Sequence[Any],
    compute: Callable[[list[Any]], Sequence[T]],
    depends: Any = (),
) -> list[T]:
    """The values of ``kind`` for each of ``keys`` (e.g. the periods of a series): those
    the cache has are read, the others counted together by ``compute(missing keys)`` (a
    value per key, in order) and kept one by one — so a series by day and a page about one
    of its days share their entries."""
    if not enabled():
        return list(compute(list(keys)))
    token = lake_token()
    folder = root() / token
    paths = [folder / f"{_digest((kind, key, depends))}.pickle" for key in keys]
    found: dict[int, T] = {}
    for i, path in enumerate(paths):
        try:
            with path.open("rb") as handle:
                found[i] = pickle.load(handle)
        except FileNotFoundError:
            pass
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            # A half-written or outdated entry (an older code version): counted again.
            log.warning("figure cache entry %s unreadable (%s); counting again", path.name, exc)
    missing = [i for i in range(len(keys)) if i not in found]
    if missing:
        values = list(compute([keys[i] for i in missing]))
        if len(values) != len(missing):
            raise ValueError(f"{kind}: {len(values)} values for {len(missing)} keys")
        keep = lake_token() == token  # the lake did not change while counting
        for i, value in zip(missing, values, strict=True):
            found[i] = value
            if keep:
                _store(folder, paths[i], value)
    return [found[i] for i in range(len(keys))]


def _store(folder: Path, path: Path, value: Any) -> None:
    try:
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            _forget_others(folder)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(handle.name, 0o600)
        os.replace(handle.name, path)
    except OSError as exc:  # a full disk or a folder removed meanwhile: not an error
        log.warning("figure cache entry %s not kept (%s)", path.name, exc)


def _forget_others(current: Path) -> None:
    """Entries of earlier states are never read again: removed when a new state begins."""
    for other in current.parent.iterdir():
        if other != current and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def clear() -> None:
    """Forget every entry (after an erasure: entries may hold the erased customer's key)."""
    shutil.rmtree(root(), ignore_errors=True)
