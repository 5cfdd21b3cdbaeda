"""Every satisfaction command and subcommand prints its help (a stray "%" in a help line made
argparse fail on ``guanxi surveys --help``)."""

from __future__ import annotations

import argparse

import pytest
from django.core.management import load_command_class


@pytest.mark.parametrize("name", ["surveys", "reviews"])
def test_each_help_renders(name: str) -> None:
    parser = load_command_class("guanxi.satisfaction", name).create_parser("guanxi", name)
    assert name in parser.format_help()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert sub.choices
    for action, subparser in sub.choices.items():
        assert action in subparser.format_help()
