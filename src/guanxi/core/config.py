"""Settings read from GUANXI_* environment variables, each with a safe default.

A malformed value stops start-up with an error that names the variable and says how to fix
it; nothing here imports Django, so the lake and the CLI can use it too.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

ENGINES = ("duckdb", "pyspark")


class ConfigError(Exception):
    """A GUANXI_* variable is malformed; the message names it."""


@dataclass(frozen=True)
class DatabaseConfig:
    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Config:
    home: Path
    database: DatabaseConfig
    lake: str
    engine: str
    key_file: Path
    time_zone: str
    secret_key_file: Path
    debug: bool
    allowed_hosts: tuple[str, ...]
    import_dir: Path
    max_upload_mb: int
    import_retention_days: int
    query_memory: str
    build_memory: str
    query_slots: int
    spill_dir: Path
    static_root: Path
    https: bool = False
    behind_proxy: bool = False
    session_idle_minutes: int = 60


def _is_guanxi_project(folder: Path) -> bool:
    """True when ``folder`` holds the pyproject.toml of this project (name = "guanxi")."""
    try:
        data = tomllib.loads((folder / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    project = data.get("project")
    return isinstance(project, dict) and project.get("name") == "guanxi"


def default_home(
    *, prefix: Path | None = None, package_dir: Path | None = None, cwd: Path | None = None
) -> Path:
    """The folder ``var/`` lives in when GUANXI_HOME is not set.

    The data must not depend on the folder a command is typed in (a ``guanxi import`` run
    elsewhere once made a fresh ``./var`` with an empty database and a new secret key). So:
    1. the project the running virtualenv belongs to — ``make`` builds ``.venv`` inside the
       checkout, so sys.prefix's parent holding guanxi's pyproject.toml is that checkout;
    2. else the checkout of an editable install: the parent of ``src/`` above this package;
    3. else (a plain wheel install outside any checkout) the current folder, as before —
       such installations should set GUANXI_HOME, and the CLI names the home it used when
       the database there has not been created.
    """
    prefix = Path(sys.prefix) if prefix is None else prefix
    package_dir = Path(__file__).resolve().parent.parent if package_dir is None else package_dir
    for candidate in (prefix.resolve().parent, package_dir.resolve().parent.parent):
        if _is_guanxi_project(candidate):
            return candidate
    return (Path.cwd() if cwd is None else cwd).resolve()


def home_from(env: Mapping[str, str]) -> Path:
    """GUANXI_HOME if set, else ``default_home()``; always absolute."""
    raw = env.get("GUANXI_HOME")
    if not raw:
        return default_home()
    home = Path(raw).expanduser()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"GUANXI_HOME={raw!r} is a file; give the folder that holds var/")
    return home.resolve()


def parse_database_url(
    value: str, *, variable: str = "GUANXI_DATABASE_URL", home: Path | None = None
) -> DatabaseConfig:
    """Parse ``sqlite:///path`` or ``postgresql://user:pass@host:port/db``; a relative SQLite
    path is relative to ``home`` (GUANXI_HOME), not to the current folder."""
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        path = unquote(value[len("sqlite:///") :]) if value.startswith("sqlite:///") else ""
        if not path:
            raise ConfigError(
                f"{variable}={value!r}: a SQLite URL needs a file path, "
                "e.g. sqlite:///var/guanxi.sqlite3 or sqlite:////srv/guanxi/db.sqlite3"
            )
        base = Path.cwd() if home is None else home
        return DatabaseConfig(engine="sqlite", name=str((base / path).resolve()))
    if scheme in ("postgres", "postgresql"):
        name = parts.path.lstrip("/")
        if not name:
            raise ConfigError(
                f"{variable}={value!r}: the PostgreSQL URL names no database, "
                "e.g. postgresql://guanxi:secret@localhost:5432/guanxi"
            )
        try:
            port = str(parts.port or "")
        except ValueError as exc:
            raise ConfigError(f"{variable}={value!r}: the port is not a number") from exc
        query = parse_qs(parts.query)
        host = unquote(parts.hostname or "")
        if "host" in query:  # a Unix socket directory: ?host=/run/postgresql
            host = query.pop("host")[0]
        return DatabaseConfig(
            engine="postgresql",
            name=unquote(name),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=host,
            port=port,
            options=tuple((k, v[0]) for k, v in sorted(query.items())),
        )
    raise ConfigError(
        f"{variable}={value!r}: unsupported scheme {scheme or '(none)'!r}; "
        "use sqlite:///path/to/file.sqlite3 or postgresql://user:password@host:port/database"
    )


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false (1/0, yes/no, on/off)")


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read every GUANXI_* setting; raise ConfigError naming the first malformed one."""
    env = os.environ if environ is None else environ
    home = home_from(env)

    def path(name: str, default: str) -> Path:
        """A path setting; relative values (the defaults too) hang off GUANXI_HOME."""
        return (home / Path(env.get(name) or default).expanduser()).resolve()

    db_url = env.get("GUANXI_DATABASE_URL") or "sqlite:///var/guanxi.sqlite3"
    database = parse_database_url(db_url, home=home)

    lake = env.get("GUANXI_LAKE") or "var/lake"
    if "://" not in lake:
        lake = str(path("GUANXI_LAKE", "var/lake"))
    elif not lake.startswith(("s3://", "file://")):
        raise ConfigError(
            f"GUANXI_LAKE={lake!r}: expected a folder path or an s3:// URL, e.g. var/lake"
        )

    engine = (env.get("GUANXI_ENGINE") or "duckdb").strip().lower()
    if engine not in ENGINES:
        raise ConfigError(
            f"GUANXI_ENGINE={env.get('GUANXI_ENGINE')!r}: expected one of {', '.join(ENGINES)}"
        )

    key_file = path("GUANXI_KEY_FILE", "var/keys/field.key")
    if key_file.exists() and key_file.is_dir():
        raise ConfigError(
            f"GUANXI_KEY_FILE={str(key_file)!r} is a folder; give the path of the key file "
            "(it is created on first run if missing)"
        )

    time_zone = env.get("GUANXI_TIME_ZONE") or "Asia/Shanghai"
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"GUANXI_TIME_ZONE={time_zone!r} is not an IANA time zone; "
            "use a name such as Asia/Shanghai or Asia/Hong_Kong"
        ) from exc

    secret_key_file = path("GUANXI_SECRET_KEY_FILE", "var/keys/secret.key")
    debug = _bool(env, "GUANXI_DEBUG", False)
    hosts_raw = env.get("GUANXI_ALLOWED_HOSTS") or "127.0.0.1,localhost"
    allowed_hosts = tuple(h.strip() for h in hosts_raw.split(",") if h.strip())
    if not allowed_hosts:
        raise ConfigError("GUANXI_ALLOWED_HOSTS is empty; list host names separated by commas")

    import_dir = path("GUANXI_IMPORT_DIR", "var/imports")
    if import_dir.exists() and not import_dir.is_dir():
        raise ConfigError(
            f"GUANXI_IMPORT_DIR={str(import_dir)!r} is a file; give a folder for uploaded files "
            "and import reports (outside the web root)"
        )

    upload_raw = env.get("GUANXI_MAX_UPLOAD_MB") or "512"
    try:
        max_upload_mb = int(upload_raw)
        if max_upload_mb <= 0:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"GUANXI_MAX_UPLOAD_MB={upload_raw!r}: expected a whole number of megabytes, e.g. 512"
        ) from None

    retention_raw = env.get("GUANXI_IMPORT_RETENTION_DAYS") or "7"
    try:
        import_retention_days = int(retention_raw)
        if import_retention_days <= 0:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"GUANXI_IMPORT_RETENTION_DAYS={retention_raw!r}: expected a whole number of days "
            "≥ 1, e.g. 7 (how long uploads and import reports are kept and imports can be undone)"
        ) from None

    def amount(name: str, default: str, what: str) -> str:
        value = (env.get(name) or default).strip().replace(" ", "")
        if not re.fullmatch(r"\d+(\.\d+)?(MB|GB|MiB|GiB)", value, re.IGNORECASE):
            raise ConfigError(
                f"{name}={env.get(name)!r}: expected an amount such as 1GB or 2500MB ({what})"
            )
        return value

    query_memory = amount(
        "GUANXI_QUERY_MEMORY", "1GB", "the memory one query may use before spilling to disk"
    )
    build_memory = amount(
        "GUANXI_BUILD_MEMORY", "3GB", "the memory building the derived tables may use"
    )
    slots_raw = env.get("GUANXI_QUERY_SLOTS") or "2"
    try:
        query_slots = int(slots_raw)
        if not 1 <= query_slots <= 64:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"GUANXI_QUERY_SLOTS={slots_raw!r}: expected a whole number from 1 to 64, e.g. 2 "
            "(queries one server process runs at once; the others wait their turn)"
        ) from None
    spill_dir = path("GUANXI_SPILL_DIR", "var/spill")
    if spill_dir.exists() and not spill_dir.is_dir():
        raise ConfigError(
            f"GUANXI_SPILL_DIR={str(spill_dir)!r} is a file; give a folder for the query "
            "engine's temporary files"
        )

    static_root = path("GUANXI_STATIC_ROOT", "var/static")

    idle_raw = env.get("GUANXI_SESSION_IDLE_MINUTES") or "60"
    try:
        session_idle_minutes = int(idle_raw)
        if not 1 <= session_idle_minutes <= 7 * 24 * 60:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"GUANXI_SESSION_IDLE_MINUTES={idle_raw!r}: expected a whole number of minutes "
            "from 1 to 10080 (a week), e.g. 60: a session unused that long ends"
        ) from None

    return Config(
        home=home,
        database=database,
        lake=lake,
        engine=engine,
        key_file=key_file,
        time_zone=time_zone,
        secret_key_file=secret_key_file,
        debug=debug,
        allowed_hosts=allowed_hosts,
        import_dir=import_dir,
        max_upload_mb=max_upload_mb,
        import_retention_days=import_retention_days,
        query_memory=query_memory,
        build_memory=build_memory,
        query_slots=query_slots,
        spill_dir=spill_dir,
        static_root=static_root,
        https=_bool(env, "GUANXI_HTTPS", False),
        behind_proxy=_bool(env, "GUANXI_BEHIND_PROXY", False),
        session_idle_minutes=session_idle_minutes,
    )


def read_or_create_secret(path: Path, *, nbytes: int = 32) -> bytes:
    """Return the secret stored at ``path``, creating it (mode 0600) on first use.

    Keys live outside git (var/ is ignored) so no installation shares a default secret.
    """
    if path.exists():
        private_file(path)
        data = path.read_bytes().strip()
        if not data:
            raise ConfigError(f"key file {path} is empty; delete it only if no data uses it yet")
        return data
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(nbytes).encode()
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(token + b"\n")
    return token


def private_file(path: Path, *, create: bool = False) -> None:
    """Make ``path`` readable by its owner only (0600), creating it empty when ``create``.

    The database holds live session keys and the key files unlock every personal field:
    other accounts on the machine must not read them. Files made before this rule (0644)
    are tightened at start-up.
    """
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)
