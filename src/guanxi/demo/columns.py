"""Numpy → Arrow helpers for the generators: money in cents, UTC microseconds, serial ids.

The generators compute in plain int64 arrays (cents, microseconds, indexes) because that is
exact and fast; these helpers turn them into the lake's column types in one vectorised step.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.lake.schema import MONEY, TS

NO_TIME = -1
"""Sentinel for an absent timestamp in the int64 microsecond arrays (all real times are > 0)."""


def money(cents: np.ndarray) -> pa.Array:
    """decimal(18,2) from integer cents, exactly (builds the 128-bit little-endian values)."""
    low = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.column_stack([low, low >> 63]).ravel()
    return pa.Array.from_buffers(MONEY, len(low), [None, pa.py_buffer(words)])


def times(micros: np.ndarray) -> pa.Array:
    """UTC timestamps from microseconds since the epoch, cut to whole seconds as every
    platform's export and chat log gives them (so the demo survives an export and re-import
    unchanged); ``NO_TIME`` becomes null. The generators keep successive messages of a
    session at least 2 s apart, so the cut never reorders them."""
    micros = np.asarray(micros, dtype=np.int64)
    whole = micros - micros % 1_000_000
    return pa.array(whole, type=TS, mask=micros < 0)


def serial_ids(prefix: str, serial: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded serial number: unique, sortable and cheap to build."""
    digits = pc.utf8_lpad(
        pa.array(np.asarray(serial, dtype=np.int64)).cast(pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def constant(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def pick(values: pa.Array, index: np.ndarray) -> pa.Array:
    """``values[index]`` with -1 meaning null (e.g. the agent of a customer message)."""
    index = np.asarray(index, dtype=np.int64)
    return values.take(pa.array(index, mask=index < 0))
