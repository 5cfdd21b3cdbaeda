"""JSON endpoints of customer insight; filled by the runs owner."""

from ninja import Router

router = Router(tags=["insight"])
