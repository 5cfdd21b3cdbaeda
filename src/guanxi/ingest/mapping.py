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

from guanxi.ingest.kinds import KINDS, Kind
from guanxi.ingest.messages import Message, MessageError, gettext_noop, message

PRESETS = Path(__file__).parent / "mappings"
# Columns that identify people beyond what any feature needs; dropped from every import.
ALWAYS_DROP = ("身份证号", "身份证号码", "证件号码", "支付宝账号", "买家支付宝账号", "银行卡号")


PLATFORM_NAMES = {
    "taobao": gettext_noop("淘宝"),
    "tmall": gettext_noop("天猫"),
    "jd": gettext_noop("京东"),
    "pdd": gettext_noop("拼多多"),
    "douyin": gettext_noop("抖音"),
    "shopify": "Shopify",
    "amazon": "Amazon",
    "generic": gettext_noop("通用格式"),
}


class MappingError(MessageError):
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
    raise MappingError(gettext_noop("%(where)s：应为一个列名或列名的列表"), where=where)


def parse(data: dict[str, object], source: str) -> Mapping:
    if "kind" not in data:
        raise MappingError(
            gettext_noop('%(source)s：缺少 kind（导入类型），如 kind = "orders"'), source=source
        )
    if str(data["kind"]) not in KINDS:
        raise MappingError(
            gettext_noop("%(source)s：不认识的导入类型 kind = %(kind)s；可选：%(kinds)s"),
            source=source,
            kind=str(data["kind"]),
            kinds=list(KINDS),
        )
    the_kind = KINDS[str(data["kind"])]
    columns_raw = data.get("columns", {})
    if not isinstance(columns_raw, dict):
        raise MappingError(
            gettext_noop("%(source)s：[columns] 应为“字段 = 列名”的表"), source=source
        )
    known = {f.name for f in the_kind.fields}
    columns: dict[str, tuple[str, ...]] = {}
    for name, headers in columns_raw.items():
        if name not in known:
            raise MappingError(
                gettext_noop(
                    "%(source)s：[columns] 中的 %(name)s 不是 %(kind)s 的字段；字段有：%(fields)s"
                ),
                source=source,
                name=name,
                kind=the_kind.name,
                fields=sorted(known),
            )
        columns[name] = _as_tuple(headers, f"{source}: [columns] {name}")
    values: dict[str, dict[str, str]] = {}
    values_raw = data.get("values", {})
    if not isinstance(values_raw, dict):
        raise MappingError(
            gettext_noop("%(source)s：[values] 应为“导出值 = Guanxi 值”的表"), source=source
        )
    for name, table in values_raw.items():
        target = the_kind.field(name) if name in known else None
        if target is None or target.type != "choice" or not isinstance(table, dict):
            raise MappingError(
                gettext_noop("%(source)s：[values.%(name)s] 只能用于有固定取值的字段"),
                source=source,
                name=name,
            )
        for raw, canonical in table.items():
            if canonical not in target.choices:
                raise MappingError(
                    gettext_noop(
                        "%(source)s：[values.%(name)s] %(raw)s = %(value)s：应为 %(choices)s 之一"
                    ),
                    source=source,
                    name=name,
                    raw=json.dumps(raw, ensure_ascii=False),
                    value=json.dumps(canonical, ensure_ascii=False),
                    choices=list(target.choices),
                )
        values[name] = {str(k): str(v) for k, v in table.items()}
    defaults_raw = data.get("defaults", {})
    if not isinstance(defaults_raw, dict) or any(k not in known for k in defaults_raw):
        raise MappingError(
            gettext_noop("%(source)s：[defaults] 只能填写 %(kind)s 的字段"),
            source=source,
            kind=the_kind.name,
        )
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
        raise MappingError(
            gettext_noop("%(source)s：不是有效的 TOML：%(error)s"), source=path.name, error=str(exc)
        ) from exc
    except OSError as exc:
        raise MappingError(
            gettext_noop("%(source)s：无法读取映射文件：%(error)s"),
            source=str(path),
            error=exc.strerror or str(exc),
        ) from exc
    return parse(data, path.name)


def presets() -> list[Mapping]:
    return [load(p) for p in sorted(PRESETS.glob("*.toml"))]


def preset_for(kind_name: str, platform: str) -> list[Mapping]:
    """The presets for a kind and platform, the platform's own first, then generic ones."""
    matching = [m for m in presets() if m.kind.name == kind_name]
    own = [m for m in matching if platform in m.platforms]
    generic = [m for m in matching if "generic" in m.platforms and m not in own]
    return own + generic


def resolve_columns(mapping: Mapping, headers: list[str]) -> dict[str, str]:
    """Which of ``headers`` feeds each field (field → header), as far as the mapping can tell."""
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
    return header_of


def resolve(mapping: Mapping, headers: list[str], file_name: str) -> Resolved:
    header_of = resolve_columns(mapping, headers)
    missing = missing_fields(mapping, header_of)
    if missing:
        raise MappingError(
            gettext_noop(
                "%(file)s：按映射「%(mapping)s」，缺少必需的列 %(missing)s。"
                "文件中的列是：%(columns)s。请换一个映射，或在导入页面上指定列的对应关系。"
            ),
            file=file_name,
            mapping=mapping.name,
            missing=_wanted(mapping, missing),
            columns=list(headers),
        )
    used = set(header_of.values())
    drop_set = set(mapping.drop) | set(ALWAYS_DROP)
    dropped = tuple(h for h in headers if h not in used and h.strip() in drop_set)
    ignored = tuple(h for h in headers if h not in used and h not in dropped)
    return Resolved(mapping, header_of, dropped, ignored)


def missing_fields(mapping: Mapping, header_of: dict[str, str]) -> list[str]:
    return [f for f in mapping.kind.required if f not in header_of and f not in mapping.defaults]


def _wanted(mapping: Mapping, missing: list[str]) -> list[str | Message]:
    """Each missing field as the column the mapping looks for, else the field's label."""
    wanted: list[str | Message] = []
    for name in missing:
        alternatives = mapping.columns.get(name, ())
        # A generic mapping lists the field's English name first; the Chinese one reads better.
        chinese = [a for a in alternatives if not a.isascii()]
        if chinese or alternatives:
            wanted.append((chinese or list(alternatives))[0])
        else:
            wanted.append(Message(mapping.kind.field(name).label))
    return wanted


def best_preset(kind_name: str, platform: str, headers: list[str], file_name: str) -> Resolved:
    """The first preset whose required columns the file has.

    When none fits, the file is not what the user said it is (another platform's export,
    another kind of data, or not an export at all): the error says so in words, lists the
    columns the platform's own export has and the file lacks, and names the preset the file
    does fit, if any.
    """
    candidates = preset_for(kind_name, platform)
    platform_name = Message(PLATFORM_NAMES.get(platform, platform))
    if not candidates:
        raise MappingError(
            gettext_noop(
                "没有%(platform)s的%(kind)s映射；请用 --mapping 指定映射文件，"
                "或在导入页面上指定列的对应关系"
            ),
            platform=platform_name,
            kind=Message(KINDS[kind_name].label),
        )
    for candidate in candidates:
        try:
            return resolve(candidate, headers, file_name)
        except MappingError:
            continue
    first = candidates[0]
    header_of = resolve_columns(first, headers)
    hint: Message | str = ""
    fits = _fitting_preset(headers, skip=candidates)
    if fits is not None:
        hint = message(
            gettext_noop("它看起来是「%(mapping)s」（数据类型 %(kind)s，平台 %(platforms)s）。"),
            mapping=fits.name,
            kind=fits.kind.name,
            platforms=list(fits.platforms),
        )
    raise MappingError(
        gettext_noop(
            "文件 %(file)s 不像%(platform)s的%(kind)s文件：缺少列 %(missing)s。"
            "%(hint)s请检查所选的平台和数据类型（命令行的 --platform 和类型参数）；"
            "文件中的列是：%(columns)s"
        ),
        file=file_name,
        platform=platform_name,
        kind=Message(first.kind.label),
        missing=_wanted(first, missing_fields(first, header_of)),
        hint=hint,
        columns=list(headers) if any(headers) else [Message(gettext_noop("（没有列名）"))],
    )


def _fitting_preset(headers: list[str], *, skip: list[Mapping]) -> Mapping | None:
    """A platform's own preset (not a generic one) that reads ``headers``, if any."""
    for preset in presets():
        if preset in skip or "generic" in preset.platforms:
            continue
        if not missing_fields(preset, resolve_columns(preset, headers)):
            return preset
    return None


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
    return Mapping(name=kind_name, kind=KINDS[kind_name], platforms=("generic",), columns={})


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
        raise MappingError(
            gettext_noop("%(source)s：不是有效的 TOML：%(error)s"), source=source, error=str(exc)
        ) from exc
