"""JSON endpoints of the satisfaction area (api_results); filled by its owner."""

from ninja import Router

router = Router(tags=["satisfaction"])
