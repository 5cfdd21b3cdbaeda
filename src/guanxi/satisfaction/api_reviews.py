"""JSON endpoints of the satisfaction area (api_reviews); filled by its owner."""

from ninja import Router

router = Router(tags=["satisfaction"])
