"""Run a command against a private, throw-away PostgreSQL cluster.

    python tests/pg_cluster.py -- pytest -m django_db

initdb in a temporary folder, a server on loopback and a Unix socket in that folder, the
command run with GUANXI_DATABASE_URL pointing at it, then the server stopped and the folder
removed. PostgreSQL refuses to run as root, so as root the cluster belongs to `postgres`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    sys.exit("PostgreSQL server binaries not found: apt-get install postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str]) -> int:
    if "--" not in argv:
        sys.exit("usage: pg_cluster.py -- COMMAND [ARGS...]")
    command = argv[argv.index("--") + 1 :]
    bindir = _bindir()
    as_root = os.geteuid() == 0
    base = tempfile.mkdtemp(prefix="guanxi-pg-")
    data, sock = os.path.join(base, "data"), os.path.join(base, "sock")
    os.makedirs(sock)
    prefix: list[str] = []
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    port = _free_port()
    run = lambda *cmd: subprocess.run([*prefix, *cmd], check=True, stdout=subprocess.DEVNULL)  # noqa: E731
    run(f"{bindir}/initdb", "-D", data, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C")
    run(
        f"{bindir}/pg_ctl",
        "-D",
        data,
        "-w",
        "-l",
        os.path.join(base, "server.log"),
        "-o",
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    try:
        run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", user, "guanxi")
        env = dict(os.environ)
        env["GUANXI_DATABASE_URL"] = f"postgresql://{user}@127.0.0.1:{port}/guanxi"
        env["GUANXI_TEST_EXPECT_POSTGRES"] = "1"
        print(f"PostgreSQL cluster on 127.0.0.1:{port} ({bindir})", flush=True)
        return subprocess.run(command, env=env).returncode
    finally:
        subprocess.run(
            [*prefix, f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "stop"],
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
