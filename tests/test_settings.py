from pathlib import Path

import pytest
from django.conf import settings

from guanxi.core.config import ConfigError, default_home, load, parse_database_url


def test_defaults_are_embedded_sqlite_lake_and_shanghai(tmp_path: Path) -> None:
    config = load({})
    assert config.database.engine == "sqlite"
    assert config.database.name.endswith("var/guanxi.sqlite3")
    assert config.lake.endswith("var/lake")
    assert config.engine == "duckdb"
    assert config.time_zone == "Asia/Shanghai"
    assert str(config.key_file).endswith("var/keys/field.key")


def test_postgres_url_is_parsed() -> None:
    db = parse_database_url("postgresql://gx:s%40cret@db.local:5433/guanxi")
    assert (db.engine, db.user, db.password, db.host, db.port, db.name) == (
        "postgresql",
        "gx",
        "s@cret",
        "db.local",
        "5433",
        "guanxi",
    )


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("GUANXI_DATABASE_URL", "mysql://x/y", "GUANXI_DATABASE_URL='mysql://x/y': unsupported"),
        ("GUANXI_DATABASE_URL", "postgresql://host:port/db", "port is not a number"),
        ("GUANXI_DATABASE_URL", "postgresql://host/", "names no database"),
        ("GUANXI_ENGINE", "spark", "GUANXI_ENGINE='spark': expected one of duckdb, pyspark"),
        ("GUANXI_TIME_ZONE", "Mars/Olympus", "GUANXI_TIME_ZONE='Mars/Olympus' is not an IANA"),
        ("GUANXI_LAKE", "ftp://lake", "GUANXI_LAKE='ftp://lake'"),
        ("GUANXI_DEBUG", "perhaps", "GUANXI_DEBUG='perhaps': expected true or false"),
        ("GUANXI_QUERY_MEMORY", "lots", "GUANXI_QUERY_MEMORY='lots': expected an amount"),
    ],
)
def test_malformed_setting_names_the_variable(variable: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as error:
        load({variable: value})
    assert fragment in str(error.value)


def test_key_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"GUANXI_KEY_FILE=.* is a folder"):
        load({"GUANXI_KEY_FILE": str(tmp_path)})


def test_passwords_are_hashed_with_argon2() -> None:
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def test_sqlite_runs_in_wal_with_full_sync() -> None:
    options = dict(settings.DATABASES["default"].get("OPTIONS") or {})  # type: ignore[call-overload]
    if str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3"):
        assert "journal_mode=WAL" in options["init_command"]
        assert "synchronous=FULL" in options["init_command"]


def test_the_query_engine_keeps_to_its_memory_limit(tmp_path: Path) -> None:
    from guanxi.lake.engines import DuckDBEngine, QueryLimits

    engine = DuckDBEngine(QueryLimits("1GB", str(tmp_path / "spill")))
    setting = engine.con.raw_sql("SELECT current_setting('memory_limit')").fetchone()
    assert setting is not None and setting[0] in ("953.6 MiB", "1.0 GB", "1000.0 MB")
    spill = engine.con.raw_sql("SELECT current_setting('temp_directory')").fetchone()
    assert spill is not None and spill[0] == str(tmp_path / "spill")
    assert load({}).query_memory == "1GB"  # per query; GUANXI_QUERY_SLOTS of them at once
    assert (load({}).build_memory, load({}).query_slots) == ("3GB", 2)


def _guanxi_checkout(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "guanxi"\n', encoding="utf-8")
    return folder


def test_every_default_path_hangs_off_guanxi_home(tmp_path: Path) -> None:
    config = load({"GUANXI_HOME": str(tmp_path)})
    assert config.home == tmp_path.resolve()
    assert config.database.name == str(tmp_path / "var" / "guanxi.sqlite3")
    assert config.lake == str(tmp_path / "var" / "lake")
    assert config.key_file == tmp_path / "var" / "keys" / "field.key"
    assert config.secret_key_file == tmp_path / "var" / "keys" / "secret.key"
    assert config.import_dir == tmp_path / "var" / "imports"
    assert config.spill_dir == tmp_path / "var" / "spill"
    assert config.static_root == tmp_path / "var" / "static"


def test_relative_paths_in_settings_are_relative_to_the_home(tmp_path: Path) -> None:
    config = load(
        {
            "GUANXI_HOME": str(tmp_path),
            "GUANXI_LAKE": "data/lake",
            "GUANXI_DATABASE_URL": "sqlite:///db/shop.sqlite3",
            "GUANXI_KEY_FILE": "/srv/keys/field.key",
        }
    )
    assert config.lake == str(tmp_path / "data" / "lake")
    assert config.database.name == str(tmp_path / "db" / "shop.sqlite3")
    assert config.key_file == Path("/srv/keys/field.key")


def test_a_home_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"GUANXI_HOME=.* is a file"):
        load({"GUANXI_HOME": str(tmp_path / "home")})


def test_the_default_home_is_the_checkout_the_virtualenv_belongs_to(tmp_path: Path) -> None:
    checkout = _guanxi_checkout(tmp_path / "shop")
    other = _guanxi_checkout(tmp_path / "elsewhere")
    package = other / "src" / "guanxi"
    cwd = tmp_path / "cwd"
    assert default_home(prefix=checkout / ".venv", package_dir=package, cwd=cwd) == checkout
    # A virtualenv outside any checkout: the checkout of the (editable) package.
    assert default_home(prefix=tmp_path / "venv", package_dir=package, cwd=cwd) == other
    # A pyproject.toml of another project does not count; nothing found: the current folder.
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "pyproject.toml").write_text('[project]\nname = "other"\n', "utf-8")
    site = tmp_path / "lib" / "site-packages" / "guanxi"
    assert default_home(prefix=tmp_path / "x" / ".venv", package_dir=site, cwd=cwd) == cwd
