"""The shop's customer rules as stored (``CustomerRuleSet``, one row) and as the metric code
takes them (``metrics.rules`` dataclasses): read with the SPEC defaults for what is unset,
checked by the dataclass on every save, so a bad rule is refused naming its field."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from guanxi.customers.models import CustomerRuleSet
from guanxi.metrics.rules import ClassRules, LoyaltyRules, RfmRules, RuleError

FAMILIES: dict[str, type] = {
    "class_rules": ClassRules,
    "rfm_rules": RfmRules,
    "loyalty_rules": LoyaltyRules,
}


def _row() -> CustomerRuleSet:
    row, _ = CustomerRuleSet.objects.get_or_create(pk=1)
    return row


def _build(family: str, stored: Mapping[str, Any]) -> Any:
    cls = FAMILIES[family]
    names = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for name, value in stored.items():
        if name not in names:
            raise RuleError(f"{name}: not a rule of {family}; known: {', '.join(names)}")
        default = names[name].default
        values[name] = Decimal(str(value)) if isinstance(default, Decimal) else value
    return cls(**values)


def _stored(rules: Any) -> dict[str, Any]:
    return {
        k: (str(v) if isinstance(v, Decimal) else v) for k, v in dataclasses.asdict(rules).items()
    }


def class_rules() -> ClassRules:
    rules: ClassRules = _build("class_rules", _row().class_rules)
    return rules


def rfm_rules() -> RfmRules:
    rules: RfmRules = _build("rfm_rules", _row().rfm_rules)
    return rules


def loyalty_rules() -> LoyaltyRules:
    rules: LoyaltyRules = _build("loyalty_rules", _row().loyalty_rules)
    return rules


def rules_save(family: str, values: Mapping[str, Any], *, user: str) -> Any:
    """Check ``values`` against the family's dataclass and store them (RuleError, naming the
    field, when one is out of range)."""
    if family not in FAMILIES:
        raise RuleError(f"{family}: not a rule family; known: {', '.join(FAMILIES)}")
    rules = _build(family, values)
    with transaction.atomic():
        row = CustomerRuleSet.objects.select_for_update().get_or_create(pk=1)[0]
        setattr(row, family, _stored(rules))
        row.updated_by = user
        row.save()
    return rules


def rules_reset(family: str, *, user: str) -> Any:
    return rules_save(family, {}, user=user)
