"""The local servers the tests and the benchmarks start: dynalite (DynamoDB on LevelDB) and moto's
server (SQS), each on a free loopback port, stopped when the block ends.

One launcher for both, so the flags that matter here (loopback only; fast table creation) are
written once.
"""

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DYNALITE = ROOT / "node_modules" / ".bin" / "dynalite"
MOTO_SERVER = ROOT / ".venv" / "bin" / "moto_server"


class ServerNotStarted(RuntimeError):
    """A local server is missing or did not start listening; the message says which and why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(
    name: str, command: Sequence[str], *, port_flag: str = "--port", timeout: float = 20.0
) -> Iterator[int]:
    """Run `command` with a free port until the block ends; yields the port once it listens."""
    port = free_port()
    # A file, not a pipe: moto_server logs every request, and a full pipe would stall it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, port_flag, str(port)], stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        output = log.read().decode(errors="replace")[-2000:]
                        raise ServerNotStarted(f"{name} did not start: {output}") from None
                    time.sleep(0.05)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def dynalite_server(*, path: Path | None = None) -> Iterator[str]:
    """A dynalite server (in memory, or on LevelDB under `path`); yields its endpoint URL.

    Bound to 127.0.0.1 (it listens on every interface otherwise); tables become ACTIVE after
    50 ms instead of half a second.
    """
    if not DYNALITE.exists():
        raise ServerNotStarted("dynalite is not installed: run `npm ci` (make test does it).")
    command = [str(DYNALITE), "--host", "127.0.0.1", "--createTableMs", "50"]
    command += ["--deleteTableMs", "0", "--updateTableMs", "50"]
    if path is not None:
        command += ["--path", str(path)]
    with local_server("dynalite", command) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def moto_sqs_server() -> Iterator[str]:
    """moto's server (for its SQS) on loopback; yields its endpoint URL."""
    if not MOTO_SERVER.exists():
        raise ServerNotStarted("moto_server is not installed: run `make install`.")
    with local_server("moto_server", [str(MOTO_SERVER), "-H", "127.0.0.1"], port_flag="-p") as port:
        yield f"http://127.0.0.1:{port}"
