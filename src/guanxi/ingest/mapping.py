"""Column mappings: which header of an export feeds which field, and how values translate.

A mapping is a TOML file (presets in ``ingest/mappings/``, or a user's own):

    name = "淘宝/天猫 订单报表"
    kind = "orders"
    platforms = ["taobao", "tmall"]
    [columns]                      # field = header, or a list of alternative headers
    order_id = "订单编号"
    amount = ["买家实际支付金额", "实付金额"]
    [values.status]                # export value → Guanxi value, for choice fields
    "交易成功" = "signed"
    [defaults]                     # a constant for a field the file lacks
    quality_issue = "否"
    [drop]                         # columns no feature needs: dropped, and reported so
    columns = ["身份证号"]
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from guanxi.core.errors import UserInputError
from guanxi.ingest.kinds import Kind, kind

PRESETS = Path(__file__).parent / "mappings"
# Columns that identify people beyond what any feature needs; dropped from every import.
ALWAYS_DROP = ("身份证号", "身份证号码", "证件号码", "支付宝账号", "买家支付宝账号", "银行卡号")


class MappingError(UserInputError):
    """A mapping file or a file's headers do not fit; the message names what to change."""


@dataclass(frozen=True)
class Mapping:
    name: str
    kind: Kind
    platforms: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """A mapping matched against one file's headers."""

    mapping: Mapping
    header_of: dict[str, str]  # field → the file's header
    dropped: tuple[str, ...]  # personal columns dropped on purpose
    ignored: tuple[str, ...]  # other headers no field uses


def _as_tuple(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MappingError(f"{where}: expected a header name or a list of names")


def parse(data: dict[str, object], source: str) -> Mapping:
    try:
        the_kind = kind(str(data["kind"]))
    except KeyError as exc:
        raise MappingError(f"{source}: {exc.args[0] if exc.args else 'kind is missing'}") from exc
    columns_raw = data.get("columns", {})
    if not isinstance(columns_raw, dict):
        raise MappingError(f"{source}: [columns] must be a table of field = header")
    known = {f.name for f in the_kind.fields}
    columns: dict[str, tuple[str, ...]] = {}
    for name, headers in columns_raw.items():
        if name not in known:
            raise MappingError(
                f"{source}: [columns] {name!r} is not a field of {the_kind.name}; "
                f"fields are {', '.join(sorted(known))}"
            )
        columns[name] = _as_tuple(headers, f"{source}: [columns] {name}")
    values: dict[str, dict[str, str]] = {}
    values_raw = data.get("values", {})
    if not isinstance(values_raw, dict):
        raise MappingError(f"{source}: [values] must be tables of export value = Guanxi value")
    for name, table in values_raw.items():
        target = the_kind.field(name) if name in known else None
        if target is None or target.type != "choice" or not isinstance(table, dict):
            raise MappingError(f"{source}: [values.{name}] applies only to choice fields")
        for raw, canonical in table.items():
            if canonical not in target.choices:
                raise MappingError(
                    f"{source}: [values.{name}] {raw!r} = {canonical!r}: "
                    f"expected one of {', '.join(target.choices)}"
                )
        values[name] = {str(k): str(v) for k, v in table.items()}
    defaults_raw = data.get("defaults", {})
    if not isinstance(defaults_raw, dict) or any(k not in known for k in defaults_raw):
        raise MappingError(f"{source}: [defaults] must name fields of {the_kind.name}")
    drop_raw = data.get("drop", {})
    drop = (
        _as_tuple(drop_raw.get("columns", []), f"{source}: [drop] columns")
        if isinstance(drop_raw, dict)
        else ()
    )
    return Mapping(
        name=str(data.get("name", source)),
        kind=the_kind,
        platforms=_as_tuple(data.get("platforms", ["generic"]), f"{source}: platforms"),
        columns=columns,
        values=values,
        defaults={k: str(v) for k, v in defaults_raw.items()},
        drop=drop,
    )


def load(path: Path) -> Mapping:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path.name}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc.strerror}") from exc
    return parse(data, path.name)


def presets() -> list[Mapping]:
    return [load(p) for p in sorted(PRESETS.glob("*.toml"))]


def preset_for(kind_name: str, platform: str) -> list[Mapping]:
    """The presets for a kind and platform, the platform's own first, then generic ones."""
    matching = [m for m in presets() if m.kind.name == kind_name]
    own = [m for m in matching if platform in m.platforms]
    generic = [m for m in matching if "generic" in m.platforms and m not in own]
    return own + generic


def resolve(mapping: Mapping, headers: list[str], file_name: str) -> Resolved:
    present = {h.strip(): h for h in headers}
    folded = {h.strip().lower(): h for h in headers}
    header_of: dict[str, str] = {}
    for name, alternatives in mapping.columns.items():
        for alt in alternatives:
            hit = present.get(alt.strip()) or folded.get(alt.strip().lower())
            if hit is not None:
                header_of[name] = hit
                break
    # The generic format: a column named after a field (order_id) or its label (订单编号)
    # feeds that field in every mapping, unless the mapping already chose a column for it.
    taken = set(header_of.values())
    for f in mapping.kind.fields:
        if f.name in header_of:
            continue
        hit = folded.get(f.name.lower()) or present.get(f.label)
        if hit is not None and hit not in taken:
            header_of[f.name] = hit
            taken.add(hit)
    missing = [f for f in mapping.kind.required if f not in header_of and f not in mapping.defaults]
    if missing:
        wanted = "; ".join(
            f"{mapping.kind.field(f).label} ({f}): "
            + " / ".join(mapping.columns.get(f, ("— not in the mapping",)))
            for f in missing
        )
        raise MappingError(
            f"{file_name}: with the mapping {mapping.name!r}, required column(s) missing — "
            f"{wanted}. The file's columns are: {', '.join(headers)}. "
            "Choose another mapping or map these columns on the import page."
        )
    used = set(header_of.values())
    drop_set = set(mapping.drop) | set(ALWAYS_DROP)
    dropped = tuple(h for h in headers if h not in used and h.strip() in drop_set)
    ignored = tuple(h for h in headers if h not in used and h not in dropped)
    return Resolved(mapping, header_of, dropped, ignored)


def best_preset(kind_name: str, platform: str, headers: list[str], file_name: str) -> Resolved:
    """The first preset whose required columns the file has; else the first one's error."""
    candidates = preset_for(kind_name, platform)
    if not candidates:
        raise MappingError(f"no mapping for {kind_name} from {platform}; pass --mapping FILE.toml")
    first_error: MappingError | None = None
    for candidate in candidates:
        try:
            return resolve(candidate, headers, file_name)
        except MappingError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def with_columns(base: Mapping, header_of: dict[str, str], name: str | None = None) -> Mapping:
    """``base`` with its columns replaced by the user's choices (field → one header)."""
    return Mapping(
        name=name or base.name,
        kind=base.kind,
        platforms=base.platforms,
        columns={f: (h,) for f, h in header_of.items() if h},
        values=base.values,
        defaults=base.defaults,
        drop=base.drop,
    )


def blank(kind_name: str) -> Mapping:
    """A mapping with no columns yet, for a file no preset fits."""
    return Mapping(name=kind_name, kind=kind(kind_name), platforms=("generic",), columns={})


def to_toml(mapping: Mapping) -> str:
    """The mapping as TOML text (what ``load`` reads back)."""

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = [
        f"name = {q(mapping.name)}",
        f"kind = {q(mapping.kind.name)}",
        f"platforms = [{', '.join(q(p) for p in mapping.platforms)}]",
        "",
        "[columns]",
    ]
    for field_name, headers in mapping.columns.items():
        lines.append(f"{field_name} = [{', '.join(q(h) for h in headers)}]")
    for field_name, table in mapping.values.items():
        lines += ["", f"[values.{field_name}]"]
        lines += [f"{q(raw)} = {q(value)}" for raw, value in table.items()]
    if mapping.defaults:
        lines += ["", "[defaults]"]
        lines += [f"{k} = {q(v)}" for k, v in mapping.defaults.items()]
    if mapping.drop:
        lines += ["", "[drop]", f"columns = [{', '.join(q(c) for c in mapping.drop)}]"]
    return "\n".join(lines) + "\n"


def loads(text: str, source: str) -> Mapping:
    try:
        return parse(tomllib.loads(text), source)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{source}: not valid TOML: {exc}") from exc
