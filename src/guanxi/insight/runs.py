"""The run machinery: a model run is created (its parameters checked), queued as a background
task, fitted by its family's ``insight.job_<kind>.fit`` with throttled progress, and stored —
metrics, the inputs' Delta versions, per-customer values, rules — before it becomes the
serving run of its kind. A failed run changes nothing the pages read.

State machine: queued → running → done | failed. Only a DONE run can serve; the switch (old
serving run off, new one on, values written) is one transaction, so the pages never see a
half-written result, and the database's one-serving-run-per-kind constraint holds throughout.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_noop

from guanxi.core.errors import UserInputError
from guanxi.insight.job_api import FitFailed, JobResult, Progress
from guanxi.insight.models import CustomerPrediction, ModelRun, ProductRule, RunKind, RunState

logger = logging.getLogger(__name__)

FitFunction = Callable[[dict[str, Any], Progress], JobResult]

# Each family's CustomerPrediction fields and the foreign key naming the run that wrote them.
FAMILY_FIELDS: dict[str, tuple[str, ...]] = {
    RunKind.CLV: ("p_alive", "expected_30", "expected_90", "expected_365", "expected_value", "clv"),
    RunKind.CHURN: ("churn_risk", "churn_reasons"),
    RunKind.CLUSTERS: ("cluster", "cluster_name"),
    RunKind.BASKET: ("recommendations",),
}
RUN_FIELD: dict[str, str] = {
    RunKind.CLV: "clv_run",
    RunKind.CHURN: "churn_run",
    RunKind.CLUSTERS: "cluster_run",
    RunKind.BASKET: "recommend_run",
}
# What "cleared" means per field: JSON lists go back to [], names to "", numbers to NULL.
_EMPTY: dict[str, Any] = {"churn_reasons": [], "recommendations": [], "cluster_name": ""}
_MONEY = frozenset({"clv", "expected_value"})

# The lake tables each family reads; their versions are recorded when the run starts (the
# lake as the fit saw it). A job may report its own (JobResult.input_versions): those win.
INPUTS: dict[str, tuple[str, ...]] = {
    RunKind.CLV: ("orders", "refunds"),
    RunKind.CHURN: ("orders", "refunds", "reviews", "chat_messages", "dsr_ratings"),
    RunKind.CLUSTERS: ("orders", "refunds"),
    RunKind.BASKET: ("orders", "order_items", "products"),
}

# Progress is written at most this often (seconds) — a fit may report thousands of steps.
PROGRESS_EVERY = 1.0
BATCH = 2000
FEN = Decimal("0.01")
INTERNAL_ERROR = ("内部错误", "internal error")
# A run still RUNNING this long after it started (or QUEUED this long after it was created)
# lost its worker (a restart, a crash): it is marked failed so a new run of the kind may start.
STALE_RUNNING = dt.timedelta(hours=6)
STALE_QUEUED = dt.timedelta(hours=24)
INTERRUPTED = (
    "运行中断（后台任务进程可能已重启），请重新运行",
    "the run was interrupted (the task worker may have restarted); run it again",
)


# -- parameters ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """One parameter of a family's fit, as the "run now" form, the CLI and the API take it.
    The names and ranges mirror the family's own checks (job_<kind>.DEFAULTS), so a bad
    value is refused beside its field before a run is queued."""

    name: str
    type: type  # int | float | str | bool | dt.date (kept as ISO text)
    default: Any  # None: not sent to the family unless given (it picks, e.g. the latest day)
    label: str  # Chinese msgid (gettext_noop; translated where shown)
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def parse(self, raw: Any) -> Any:
        """The value of ``raw`` (text from a form or ``k=v``, or a JSON value); a
        UserInputError naming the parameter and what it takes when it does not fit."""
        text = raw.strip() if isinstance(raw, str) else raw
        if self.type is bool:
            if isinstance(text, bool):
                return text
            truth = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
            if str(text).lower() not in truth:
                raise UserInputError(f"{self.name}: {raw!r} is not true or false")
            return truth[str(text).lower()]
        if self.type is dt.date:
            try:
                return dt.date.fromisoformat(str(text)).isoformat()
            except ValueError:
                raise UserInputError(
                    f"{self.name}: {raw!r} is not a date; give YYYY-MM-DD"
                ) from None
        if self.choices:
            if text not in self.choices:
                raise UserInputError(f"{self.name}: {raw!r}; give {' or '.join(self.choices)}")
            return text
        try:
            if self.type is int and isinstance(text, float) and text != int(text):
                raise ValueError
            value = self.type(text)
        except (TypeError, ValueError):
            kind = {int: "a whole number", float: "a number"}.get(self.type, "text")
            raise UserInputError(f"{self.name}: {raw!r} is not {kind}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise UserInputError(f"{self.name}: must be a finite number")
        if self.minimum is not None and value < self.minimum:
            raise UserInputError(f"{self.name}: must be at least {self.minimum} (got {value})")
        if self.maximum is not None and value > self.maximum:
            raise UserInputError(f"{self.name}: must be at most {self.maximum} (got {value})")
        return value


_AS_OF = Param("as_of", dt.date, None, gettext_noop("截止日期"))
# The parameters each family takes unless its job module declares its own ``PARAMS`` (a
# tuple of Param); names, defaults and ranges as the families check them.
DEFAULT_PARAMS: dict[str, tuple[Param, ...]] = {
    RunKind.CLV: (
        Param("margin", float, 0.3, gettext_noop("毛利率"), 0.0001, 1.0),
        Param("annual_discount_rate", float, 0.1, gettext_noop("年贴现率"), 0.0, 1.0),
        Param("months", int, 12, gettext_noop("预测期（月）"), 1, 60),
        Param("holdout_days", int, 90, gettext_noop("留出检验天数"), 28, 365),
        Param("unit", str, "week", gettext_noop("时间单位"), choices=("week", "day")),
        _AS_OF,
    ),
    RunKind.CHURN: (
        Param("horizon_days", int, 90, gettext_noop("流失判定天数"), 7, 365),
        Param("train_cutoffs", int, 3, gettext_noop("训练期数（月）"), 1, 12),
        Param("min_customers", int, 50, gettext_noop("每期最少客户数"), 10, 1_000_000),
        Param("valuable_share", float, 0.2, gettext_noop("高价值客户占比"), 0.0, 1.0),
        Param("at_risk", float, 0.5, gettext_noop("风险阈值"), 0.0, 1.0),
        Param("random_state", int, 0, gettext_noop("随机种子"), 0, 2**31 - 1),
    ),
    RunKind.CLUSTERS: (
        Param("k_min", int, 2, gettext_noop("最少聚类数"), 2, 12),
        Param("k_max", int, 8, gettext_noop("最多聚类数"), 2, 12),
        Param("seed", int, 0, gettext_noop("随机种子"), 0, 2**31 - 1),
        _AS_OF,
    ),
    RunKind.BASKET: (
        Param("min_support", float, 0.005, gettext_noop("最小支持度"), 0.0, 1.0),
        Param("min_confidence", float, 0.1, gettext_noop("最小置信度"), 0.0, 1.0),
        Param("max_len", int, 3, gettext_noop("规则最多商品数"), 2, 4),
        Param("top_rules", int, 500, gettext_noop("保留规则数"), 1, 10_000),
        Param("k", int, 10, gettext_noop("每位客户推荐数"), 1, 50),
        Param("exclude_bought", bool, True, gettext_noop("不推荐已买过的商品")),
    ),
}

# Tests (and nothing else) register a fit function here in place of the family's module.
_REGISTRY: dict[str, FitFunction] = {}


def register(kind: str, fit: FitFunction | None) -> None:
    """Use ``fit`` for ``kind`` instead of ``insight.job_<kind>.fit`` (None: forget it)."""
    if fit is None:
        _REGISTRY.pop(kind, None)
    else:
        _REGISTRY[kind] = fit


def _job_module(kind: str) -> Any | None:
    # Lazy, by name: the four families are separate modules that load heavy libraries.
    try:
        return importlib.import_module(f"guanxi.insight.job_{kind}")
    except ModuleNotFoundError as error:
        if error.name == f"guanxi.insight.job_{kind}":
            return None
        raise


def fit_function(kind: str) -> FitFunction | None:
    """The fit of ``kind``, or None when that family is not installed."""
    if kind in _REGISTRY:
        return _REGISTRY[kind]
    module = _job_module(kind)
    return getattr(module, "fit", None) if module is not None else None


def available(kind: str) -> bool:
    return fit_function(kind) is not None


def params_of(kind: str) -> tuple[Param, ...]:
    module = None if kind in _REGISTRY else _job_module(kind)
    declared = getattr(module, "PARAMS", None) if module is not None else None
    return tuple(declared) if declared else DEFAULT_PARAMS.get(kind, ())


def headline_paths(kind: str) -> tuple[str, ...]:
    """The metrics a family shows on the overview's card (its job module's ``HEADLINE``)."""
    module = None if kind in _REGISTRY else _job_module(kind)
    return tuple(getattr(module, "HEADLINE", ()) or ()) if module is not None else ()


def check_kind(kind: str) -> str:
    if kind not in RunKind.values:
        raise UserInputError(
            f"kind: unknown model {kind!r}; choose one of {', '.join(RunKind.values)}"
        )
    return kind


def clean_params(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Every parameter of ``kind`` with its default filled in and ``raw``'s values checked;
    a UserInputError names the first unknown or bad parameter."""
    specs = {p.name: p for p in params_of(kind)}
    unknown = sorted(set(raw) - set(specs))
    if unknown:
        known = ", ".join(specs) or "none"
        raise UserInputError(f"{unknown[0]}: not a parameter of {kind} (known: {known})")
    cleaned = {name: p.default for name, p in specs.items() if p.default is not None}
    for name, value in raw.items():
        if value is None or value == "":
            continue
        cleaned[name] = specs[name].parse(value)
    return cleaned


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """``["k=v", …]`` from the command line as a dict; a UserInputError for a pair without '='."""
    raw: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserInputError(f"--param: {pair!r} is not name=value (e.g. --param seed=1)")
        raw[name.strip()] = value
    return raw


# -- creating and queueing ------------------------------------------------------------------
def create_run(kind: str, params: dict[str, Any], user: Any = None) -> ModelRun:
    """A QUEUED run of ``kind`` with checked parameters. Refused while another run of the
    same kind is queued or running (two fits of one model would race for the serving slot)."""
    check_kind(kind)
    if not available(kind):
        raise UserInputError(f"kind: the {kind} model is not installed in this version")
    cleaned = clean_params(kind, params)
    retire_stale(kind)
    busy = ModelRun.objects.filter(kind=kind, state__in=[RunState.QUEUED, RunState.RUNNING])
    if busy.exists():
        raise UserInputError(
            f"kind: a {kind} run (#{busy.first().pk}) is already queued or running; "  # type: ignore[union-attr]
            "wait for it to finish"
        )
    owner = user if getattr(user, "is_authenticated", False) else None
    return ModelRun.objects.create(kind=kind, params=cleaned, created_by=owner)


def retire_stale(kind: str | None = None) -> int:
    """Mark runs whose worker is gone as failed ("interrupted"); returns how many."""
    now = timezone.now()
    stale = ModelRun.objects.filter(
        Q(state=RunState.RUNNING, started_at__lt=now - STALE_RUNNING)
        | Q(state=RunState.QUEUED, created_at__lt=now - STALE_QUEUED)
    )
    if kind is not None:
        stale = stale.filter(kind=kind)
    return stale.update(
        state=RunState.FAILED, message=join_message(*INTERRUPTED), finished_at=now, serving=False
    )


def queue(kind: str, params: dict[str, Any], user: Any = None) -> ModelRun:
    """Create a run and hand it to the task worker (tests: run at once)."""
    run = create_run(kind, params, user)
    run_model.enqueue(run.pk)
    run.refresh_from_db()
    return run


@task()
def run_model(run_id: int) -> str:
    """The background task: fit run ``run_id`` (once; a retried task does nothing)."""
    return execute(run_id).state


# -- running --------------------------------------------------------------------------------
class _Throttled:
    """The job's ``progress`` callback: keeps the newest report, writes it at most every
    PROGRESS_EVERY seconds (an UPDATE of two columns, never the whole row)."""

    def __init__(self, run_id: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.run_id = run_id
        self.clock = clock
        self.last_write = -math.inf
        self.written: tuple[int, str] | None = None

    def __call__(self, fraction: float, step: str) -> None:
        percent = max(0, min(99, int(fraction * 100)))  # 100 only when the run is stored
        now = self.clock()
        if now - self.last_write < PROGRESS_EVERY or (percent, step) == self.written:
            return
        self.last_write = now
        self.written = (percent, step)
        ModelRun.objects.filter(pk=self.run_id).update(progress=percent, step=step[:200])


def input_versions(kind: str) -> dict[str, int]:
    from guanxi import lake

    store = lake.get()
    versions = {}
    for name in INPUTS.get(kind, ()):
        version = store.version(name)
        if version is not None:
            versions[name] = version
    return versions


def execute(run_id: int, fit: FitFunction | None = None) -> ModelRun:
    """Run the QUEUED run ``run_id`` here and now; returns it DONE or FAILED."""
    claimed = ModelRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=timezone.now(), progress=0, step=""
    )
    run = ModelRun.objects.get(pk=run_id)
    if not claimed:
        return run  # someone else runs it, or it has run
    fit = fit or fit_function(run.kind)
    try:
        if fit is None:
            raise FitFailed(f"{run.kind} 模型未安装", f"the {run.kind} model is not installed")
        versions = input_versions(run.kind)
        result = fit(dict(run.params), _Throttled(run.pk))
        _store(run, result, versions)
    except FitFailed as failed:
        _fail(run, failed.zh, failed.en)
    except Exception:
        # A bug, not a verdict on the data: the traceback goes to the log, the page says
        # "internal error" and the serving run stays.
        logger.exception("model run %s (%s) failed", run.pk, run.kind)
        _fail(run, *INTERNAL_ERROR)
    run.refresh_from_db()
    return run


def _fail(run: ModelRun, zh: str, en: str) -> None:
    ModelRun.objects.filter(pk=run.pk).update(
        state=RunState.FAILED,
        message=join_message(zh, en),
        finished_at=timezone.now(),
        serving=False,
    )


def join_message(zh: str, en: str) -> str:
    """A run's message keeps both languages, one per line (Chinese first)."""
    return f"{' '.join(zh.split())}\n{' '.join(en.split())}"


def message_in(message: str, language: str | None) -> str:
    """The line of ``message`` in ``language`` (older single-line messages: as they are)."""
    lines = message.split("\n", 1)
    if len(lines) == 1:
        return message
    return lines[1] if (language or "").startswith("en") else lines[0]


def _store(run: ModelRun, result: JobResult, versions: dict[str, int]) -> None:
    metrics = json_safe(result.metrics)
    versions = {**versions, **{k: int(v) for k, v in result.input_versions.items()}}
    with transaction.atomic():
        # Lock the kind's runs: two finishing runs of one kind switch one after the other.
        list(ModelRun.objects.select_for_update().filter(kind=run.kind, serving=True))
        write_customers(run, result.customers)
        if run.kind == RunKind.BASKET:
            write_rules(run, result.rules)
        ModelRun.objects.filter(kind=run.kind, serving=True).exclude(pk=run.pk).update(
            serving=False
        )
        ModelRun.objects.filter(pk=run.pk).update(
            state=RunState.DONE,
            progress=100,
            step="",
            metrics=metrics,
            input_versions=versions,
            message="",
            serving=True,
            finished_at=timezone.now(),
        )


def json_safe(value: Any) -> Any:
    """Metrics as JSON takes them: NaN and infinities become null, tuples lists, numpy
    scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cell(field: str, value: Any) -> Any:
    if value is None:
        return _EMPTY.get(field)
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if field in _MONEY:
        number = float(value)
        if not math.isfinite(number):
            return None
        # Money rounds half up to fen, from the shortest decimal of the float (250.005 → 250.01)
        return Decimal(repr(number)).quantize(FEN, rounding=ROUND_HALF_UP)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if field in ("churn_reasons", "recommendations"):
        return json_safe(list(value))
    if field == "cluster":
        return int(value)
    return value


def write_customers(run: ModelRun, values: dict[str, dict[str, Any]]) -> int:
    """The family's fields of every customer in ``values``; the same fields of everyone
    else cleared (they are not in this run). Rows that no family fills any more go."""
    from guanxi.customers.models import Customer

    fields = FAMILY_FIELDS[run.kind]
    fk = RUN_FIELD[run.kind]
    for key, row in values.items():
        stray = set(row) - set(fields)
        if stray:
            raise ValueError(f"{run.kind} job returned fields {sorted(stray)} for {key}")
    cleared = {f: _EMPTY.get(f) for f in fields} | {fk: None}
    CustomerPrediction.objects.exclude(**{f"{fk}__isnull": True}).update(**cleared)
    keys = sorted(values)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        ids = dict(
            Customer.objects.filter(customer_key__in=chunk).values_list("customer_key", "pk")
        )
        rows = [
            CustomerPrediction(
                customer_key=key,
                customer_id=ids.get(key),
                **{f: _cell(f, values[key].get(f)) for f in fields},
                **{f"{fk}_id": run.pk},
            )
            for key in chunk
        ]
        CustomerPrediction.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["customer_key"],
            update_fields=[*fields, fk, "customer", "updated_at"],
        )
    nobody = Q(clv_run__isnull=True, churn_run__isnull=True)
    nobody &= Q(cluster_run__isnull=True, recommend_run__isnull=True)
    CustomerPrediction.objects.filter(nobody).delete()
    return len(keys)


def write_rules(run: ModelRun, rules: list[dict[str, Any]]) -> int:
    ProductRule.objects.filter(run=run).delete()
    ProductRule.objects.bulk_create(
        (
            ProductRule(
                run=run,
                antecedent=json_safe(list(r["antecedent"])),
                consequent=json_safe(list(r["consequent"])),
                baskets=int(r["baskets"]),
                support=float(r["support"]),
                confidence=float(r["confidence"]),
                lift=float(r["lift"]),
            )
            for r in rules
        ),
        batch_size=BATCH,
    )
    return len(rules)


# -- re-scoring -----------------------------------------------------------------------------
def score(kind: str) -> tuple[int, str]:
    """Re-score every customer with the serving run's model, if the family can (its job
    module has ``score(params, metrics, progress) -> JobResult``); returns (customers
    written, message). A UserInputError says when there is nothing to score with."""
    check_kind(kind)
    serving = ModelRun.objects.filter(kind=kind, serving=True).first()
    if serving is None:
        raise UserInputError(f"kind: no {kind} run serves yet; run `guanxi predict fit {kind}`")
    module = _job_module(kind)
    rescore = getattr(module, "score", None) if module is not None else None
    if rescore is None:
        raise UserInputError(
            f"kind: the {kind} model cannot re-score without refitting; "
            f"run `guanxi predict fit {kind}` instead"
        )
    result: JobResult = rescore(dict(serving.params), dict(serving.metrics), lambda f, s: None)
    with transaction.atomic():
        count = write_customers(serving, result.customers)
    return count, f"{count} customers re-scored with {kind} run #{serving.pk}"
