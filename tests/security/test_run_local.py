"""`make run` (bin/run-local): when one component dies it says which, then stops the rest."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.security.servers import free_port

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent.parent


def children(pid: int) -> dict[int, str]:
    """The processes `pid` started directly, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def test_a_dying_dynalite_is_named_and_everything_else_stops(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_ENV_FILE": os.devnull,
        "DATA_DIR": str(tmp_path),
        "PORT": str(free_port()),
        "DYNALITE_PORT": str(free_port()),
        "SQS_PORT": str(free_port()),
    }
    env.pop("TEST_DATABASE_URL", None)
    stack = subprocess.Popen(
        ["bin/run-local"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output = []
        deadline = time.monotonic() + 240
        for line in stack.stdout:
            output.append(line)
            if "Press Ctrl-C to stop." in line or time.monotonic() > deadline:
                break
        assert "Press Ctrl-C to stop." in "".join(output), "".join(output)
        started = children(stack.pid)
        dynalite = next(pid for pid, cmd in started.items() if "dynalite" in cmd)

        os.kill(dynalite, signal.SIGKILL)
        rest, _ = stack.communicate(timeout=60)
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()

    assert "dynalite (pid " in rest and "exited with status 137; stopping the rest." in rest, rest
    assert rest.rstrip().endswith("Stopped.")
    assert stack.returncode != 0
    for pid in started:  # gunicorn, the worker, moto: all gone
        assert (
            not Path(f"/proc/{pid}").exists()
            or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
        )
