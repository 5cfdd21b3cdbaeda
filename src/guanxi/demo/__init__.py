"""A deterministic demo shop: a Taobao clothing shop's 2025 in the customer master and the lake.

``build(scale, seed, lake)`` writes customers (personal data only in the customer master)
and orders, items, refunds, chats, ratings, reviews and traffic (keys only) into the lake.
"""

from guanxi.demo.build import SCALES, DemoSummary, Scale, build, clear, has_data
from guanxi.demo.catalog import AGENTS, PLATFORM, PRODUCTS, Agent

__all__ = [
    "AGENTS",
    "PLATFORM",
    "PRODUCTS",
    "SCALES",
    "Agent",
    "DemoSummary",
    "Scale",
    "build",
    "clear",
    "has_data",
]
