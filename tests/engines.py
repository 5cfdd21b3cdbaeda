"""The query engines a lake test runs on: DuckDB, and Spark in local mode (the parity suite).

A test that takes the ``lake`` fixture of ``tests/metrics`` runs once per engine: its rows go
into the same Delta tables, ``lake.table(name)`` gives Ibis tables on that engine and
``lake.arrow`` collects the results, so one test body checks the same hand-computed figures
on both. The Spark runs carry the ``spark`` marker (``-m "not spark"`` leaves them out on
purpose); when Java or PySpark is missing they fail and say what to install.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from guanxi import lake as lake_module
from guanxi.lake import Lake

ENGINES = ["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)]

INSTALL = (
    "The Spark parity tests (marker 'spark') need Java 17 and PySpark 4.0: "
    "apt-get install openjdk-17-jre-headless (or default-jre-headless) and "
    "pip install -e '.[dev,spark]'. Leave them out on purpose with -m 'not spark'."
)


def installed_lake(root: Path, engine: str = "duckdb") -> Iterator[Lake]:
    """An empty lake at ``root`` on ``engine``, the process-wide default until resumed."""
    previous = lake_module._default, lake_module._settings
    lake_module.configure(str(root), engine=engine)
    yield lake_module.get()
    lake_module._default, lake_module._settings = previous


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def start_spark() -> Any:
    """One small local SparkSession for the whole test run (started once: ~10 s)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        pytest.fail(f"PySpark is not installed ({exc}). {INSTALL}", pytrace=False)
    if _java() is None:
        pytest.fail(f"No Java found (JAVA_HOME or java on the PATH). {INSTALL}", pytrace=False)
    # Loopback only: the test driver serves nothing to the network.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Spark's Python workers (Ibis ships memtables through them) must be this interpreter,
    # not the machine's older python3.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("guanxi-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        # Speed on a few rows, not semantics (ANSI mode and every SQL rule stay Spark's
        # defaults): memtables and results cross as Arrow, with no Python worker processes;
        # no per-query Java code generation or adaptive re-planning, which cost seconds
        # each and pay off only on big data; a short-lived JVM's cheaper JIT tier.
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
