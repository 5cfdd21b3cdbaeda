"""Why a customer is in their class, in one sentence for the profile, the rules page and the
lists: "VIP: top 5 % by 12-month spend, ¥3,240 ≥ ¥2,980 threshold".

Built from what the recompute stored with the standing (``class_rule``, ``class_figure``,
``class_threshold``, counted by ``metrics.customers.customer_classes``) and the class rules
(the share, the window, the minimum orders), in the reader's language. A manager's pin is
said first when there is one: the rules do not decide that customer's class then."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.customers.models import CustomerClass, CustomerStanding
from guanxi.metrics.rules import ClassRules


def _yuan(value: Decimal | None) -> str:
    """¥3,240 for whole yuan, ¥3,240.50 otherwise (the stored figures have 3 decimals)."""
    if value is None:
        return "—"
    cents = Decimal(value).quantize(Decimal("0.01"))
    return f"¥{cents:,.0f}" if cents == cents.to_integral_value() else f"¥{cents:,.2f}"


def _share(value: Decimal) -> str:
    percent = (Decimal(value) * 100).normalize()
    return f"{percent:f} %"


def class_reason(standing: CustomerStanding | None, rules: ClassRules, pin: Any = None) -> str:
    """The sentence explaining ``standing``'s class under ``rules`` (None: never counted).
    ``pin``: the customer's standing ``ClassPin``, if any."""
    if pin is not None:
        label = CustomerClass(pin.customer_class).label
        return _("%(cls)s：由 %(who)s 手动设定（%(why)s），规则不会覆盖") % {
            "cls": label,
            "who": pin.pinned_by,
            "why": pin.reason,
        }
    if standing is None:
        return _("普通客户：尚未计算（请在客户规则页重新计算）")
    months = rules.trailing_months
    figure, threshold = standing.class_figure, standing.class_threshold
    rule = standing.class_rule
    if rule == "vip_top_share":
        return _(
            "VIP客户：近 %(months)s 个月消费额居前 %(share)s，%(figure)s ≥ 门槛 %(threshold)s"
        ) % {
            "months": months,
            "share": _share(rules.vip_top_share),
            "figure": _yuan(figure),
            "threshold": _yuan(threshold),
        }
    if rule == "core_orders_and_spend":
        return _(
            "核心客户：近 %(months)s 个月付款 %(orders)s 单（≥ %(min)s），"
            "消费 %(figure)s > 中位数 %(threshold)s"
        ) % {
            "months": months,
            "orders": standing.trailing_paid_orders,
            "min": rules.core_min_paid_orders,
            "figure": _yuan(figure),
            "threshold": _yuan(threshold),
        }
    if rule == "potential_chat":
        return _("潜在客户：从未购买，近 %(months)s 个月咨询 %(n)s 次") % {
            "months": months,
            "n": int(figure or 0),
        }
    if rule == "potential_unpaid_order":
        return _("潜在客户：从未购买，近 %(months)s 个月下单未付款 %(n)s 次") % {
            "months": months,
            "n": int(figure or 0),
        }
    return _("普通客户：未达到其他类别的规则（近 %(months)s 个月消费 %(figure)s）") % {
        "months": months,
        "figure": _yuan(figure if figure is not None else standing.trailing_paid_amount),
    }
