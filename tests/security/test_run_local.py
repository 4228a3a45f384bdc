"""`make run` (bin/run-local) keeps going: a service that dies is named and restarted, the rest
carry on, and no accepted order event is lost when the worker is killed.

Each test starts bin/run-local on free loopback ports with a throwaway DATA_DIR, reads its output
on a thread while it runs, and stops it at the end; every wait has a deadline, and whatever the
stack started is killed even when a test fails.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
import requests

from tests.security.servers import free_port

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent.parent
EVENTS = 300


def _proc_stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, command line) of a live process, None if gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return int(fields[1]), cmdline


def descendants(pid: int) -> dict[int, str]:
    """Every live process under `pid`, with its command line."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _proc_stat(int(entry.name))):
            table[int(entry.name)] = found
    tree, frontier = {}, {pid}
    while frontier:
        frontier = {p for p, (ppid, _) in table.items() if ppid in frontier and p not in tree}
        tree.update({p: table[p][1] for p in frontier})
    return tree


def alive(pid: int) -> bool:
    return _proc_stat(pid) is not None


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        if result := condition():
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class Stack:
    process: subprocess.Popen
    env: dict[str, str]
    lines: list[str] = field(default_factory=list)
    seen: dict[int, str] = field(default_factory=dict)  # every process it ran, for the cleanup

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def services(self) -> dict[int, str]:
        found = descendants(self.process.pid)
        self.seen.update(found)
        return found

    def service_pid(self, marker: str) -> int:
        """The pid of the service whose command line contains `marker`, a direct child."""

        def find() -> int | None:
            return next(
                (
                    pid
                    for pid, cmd in self.services().items()
                    if marker in cmd and (_proc_stat(pid) or (0,))[0] == self.process.pid
                ),
                None,
            )

        return wait_until(find, timeout=30, what=f"a process {marker!r}")

    def wait_for_output(self, text: str, *, timeout: float, times: int = 1) -> None:
        wait_until(
            lambda: self.output.count(text) >= times or self.process.poll() is not None,
            timeout=timeout,
            what=f"{text!r} in the output of bin/run-local",
        )
        assert self.output.count(text) >= times, self.output

    def stop(self, sig: int = signal.SIGTERM, *, timeout: float = 60) -> int:
        self.services()
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@contextmanager
def run_local(tmp_path: Path) -> Iterator[Stack]:
    # As a developer's shell would have it: none of the test settings' variables.
    keep = {"PATH", "HOME", "LANG", "TMPDIR"}
    env = {
        **{k: v for k, v in os.environ.items() if k in keep},
        "DJANGO_ENV_FILE": os.devnull,
        "DATA_DIR": str(tmp_path),
        "PORT": str(free_port()),
        "DYNALITE_PORT": str(free_port()),
        "SQS_PORT": str(free_port()),
    }
    process = subprocess.Popen(
        ["bin/run-local"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    stack = Stack(process=process, env=env)
    reader = threading.Thread(target=lambda: stack.lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        stack.wait_for_output("Press Ctrl-C to stop.", timeout=120)
        yield stack
    finally:
        if process.poll() is None:
            with suppress(subprocess.TimeoutExpired):
                stack.stop(timeout=60)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid, cmd in stack.seen.items():  # left behind by a failing supervisor
            if (found := _proc_stat(pid)) and found[1] == cmd:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        reader.join(timeout=5)


def aws(stack: Stack, service: str):
    port = stack.env["SQS_PORT"] if service == "sqs" else stack.env["DYNALITE_PORT"]
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def queue_url(stack: Stack, name: str = "order-events") -> str:
    return f"http://127.0.0.1:{stack.env['SQS_PORT']}/123456789012/{name}"


def order_event(*, customer: str, phone: str) -> str:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps(
        {
            "type": "order.committed",
            "id": f"evt_{uuid.uuid4().hex[:16]}",
            "occurredAt": now,
            "order": {
                "id": f"ord_{uuid.uuid4().hex[:16]}",
                "customerId": customer,
                "country": "GB",
                "createdAt": now,
                "delivery": {"dropoff": {"phoneNumber": phone}},
            },
        }
    )


def links_recorded(stack: Stack, keys: list[tuple[str, str]]) -> int:
    """How many of these (customer, E.164) links dynalite holds."""
    dynamodb = aws(stack, "dynamodb")
    found = 0
    for start in range(0, len(keys), 100):
        request = {
            "phone-lookup": {
                "Keys": [
                    {"pk": {"S": f"phone_user#{customer}"}, "sk": {"S": f"phone#{phone}"}}
                    for customer, phone in keys[start : start + 100]
                ],
                "ProjectionExpression": "pk",
            }
        }
        while request:
            response = dynamodb.batch_get_item(RequestItems=request)
            found += len(response["Responses"].get("phone-lookup", []))
            request = response.get("UnprocessedKeys") or None
    return found


def queue_counts(stack: Stack, name: str = "order-events") -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    attributes = aws(stack, "sqs").get_queue_attributes(
        QueueUrl=queue_url(stack, name),
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
        ],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def publish(stack: Stack, keys: list[tuple[str, str]]) -> None:
    """One order event per (customer, phone), ten per SendMessageBatch, a few batches at once."""
    sqs = aws(stack, "sqs")

    def send(batch: list[tuple[str, str]]) -> None:
        response = sqs.send_message_batch(
            QueueUrl=queue_url(stack),
            Entries=[
                {"Id": str(index), "MessageBody": order_event(customer=customer, phone=phone)}
                for index, (customer, phone) in enumerate(batch)
            ],
        )
        assert not response.get("Failed"), response

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(send, [keys[start : start + 10] for start in range(0, len(keys), 10)]))


def test_a_worker_killed_with_events_queued_loses_none_of_them(tmp_path):
    with run_local(tmp_path) as stack:
        dynalite = stack.service_pid("dynalite")
        moto = stack.service_pid("moto_server")
        gunicorn = stack.service_pid("gunicorn")
        worker = stack.service_pid("consume_order_events")
        run = uuid.uuid4().hex[:8]
        keys = [(f"stack-{run}-{i}", f"+4477009{i:05d}") for i in range(EVENTS)]

        publish(stack, keys)
        # Kill it in the middle of the stream, holding messages it received and not yet
        # acknowledged (the batch in hand and the one received ahead).
        wait_until(
            lambda: queue_counts(stack)[1] > 0, timeout=30, what="the worker to receive events"
        )
        os.kill(worker, signal.SIGKILL)
        recorded_at_kill = links_recorded(stack, keys)
        visible, in_flight = queue_counts(stack)
        assert recorded_at_kill < EVENTS and in_flight > 0, (recorded_at_kill, in_flight)

        wait_until(
            lambda: links_recorded(stack, keys) == EVENTS,
            # Well under a minute: those the dead worker held come back within seconds.
            timeout=45,
            what=f"all {EVENTS} links (recorded when the worker died: {recorded_at_kill}, "
            f"then queued: {visible}, in flight: {in_flight})",
        )
        assert queue_counts(stack) == (0, 0)
        assert queue_counts(stack, "order-events-dlq") == (0, 0)
        assert re.search(
            rf"order-events worker \(pid {worker}\) exited with status 137 \(killed by SIGKILL\)"
            r".*; restarting it in 1s",
            stack.output,
        ), stack.output
        # The rest carried on, untouched.
        assert all(alive(pid) for pid in (dynalite, moto, gunicorn))
        restarted = stack.service_pid("consume_order_events")
        assert restarted != worker

        started = stack.services()
        assert stack.stop(signal.SIGTERM) == 0
        assert stack.output.rstrip().endswith("Stopped."), stack.output[-2000:]
        assert not [cmd for pid, cmd in started.items() if alive(pid)]


def test_a_dying_service_is_restarted_and_the_rest_carry_on(tmp_path):
    with run_local(tmp_path) as stack:
        dynalite = stack.service_pid("dynalite")
        port = int(stack.env["DYNALITE_PORT"])
        # A client leaving in the middle of its request (curl --max-time does it): the same
        # dynalite carries on.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n{"
            )
        stack.wait_for_output("a client left in the middle of a request", timeout=10)
        assert alive(dynalite)
        assert "phone-lookup" in aws(stack, "dynamodb").list_tables()["TableNames"]

        # moto's SQS server dies: restarted, with its queues created again, and the worker
        # records what is published next.
        moto = stack.service_pid("moto_server")
        os.kill(moto, signal.SIGKILL)
        stack.wait_for_output(
            f"moto SQS server (pid {moto}) exited with status 137 (killed by SIGKILL)", timeout=10
        )
        stack.wait_for_output("set redrive policy of order-events", timeout=30, times=2)
        key = (f"stack-{uuid.uuid4().hex[:8]}", "+447700900461")
        publish(stack, [key])
        wait_until(lambda: links_recorded(stack, [key]) == 1, timeout=30, what="the link")

        # gunicorn's master dies: its orphaned workers are stopped (they hold the port), and
        # the new one serves on the same port.
        gunicorn = stack.service_pid("gunicorn")
        worker = stack.service_pid("consume_order_events")
        os.kill(gunicorn, signal.SIGKILL)
        stack.wait_for_output(f"gunicorn (pid {gunicorn}) exited with status 137", timeout=10)
        url = f"http://127.0.0.1:{stack.env['PORT']}/login/"

        def answers() -> bool:
            with suppress(requests.RequestException):
                return requests.get(url, timeout=2).status_code == 200
            return False

        wait_until(answers, timeout=30, what="gunicorn to serve again")
        assert stack.service_pid("gunicorn") != gunicorn
        assert alive(dynalite) and alive(worker)

        # dynalite dies: restarted on its data.
        os.kill(dynalite, signal.SIGKILL)
        stack.wait_for_output(f"dynalite (pid {dynalite}) exited with status 137", timeout=10)
        wait_until(
            lambda: _links_or_none(stack, [key]) == 1, timeout=30, what="dynalite on its data"
        )

        started = stack.services()
        assert stack.stop(signal.SIGINT) == 0
        assert stack.output.rstrip().endswith("Stopped."), stack.output[-2000:]
        assert not [cmd for pid, cmd in started.items() if alive(pid)]


def _links_or_none(stack: Stack, keys: list[tuple[str, str]]) -> int | None:
    with suppress(Exception):
        return links_recorded(stack, keys)
    return None


def test_a_service_that_keeps_dying_waits_longer_each_time_and_a_long_run_resets_it():
    driver = (
        "import sys; sys.path.insert(0, 'bin'); import supervisor as s;"
        "s.STABLE_SECONDS = float(sys.argv[2]); sup = s.Supervisor(); sup.signals_install();"
        "sup.service_start(s.Service(name='flaky', command=['sh', '-c', sys.argv[1]]));"
        "sup.supervise()"
    )

    def restart_delays(command: str, *, stable: float, seconds: float) -> list[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", driver, command, str(stable)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            time.sleep(seconds)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            _, stderr = process.communicate(timeout=10)
        return re.findall(
            r"flaky \(pid \d+\) exited with status 3 .*restarting it in (\d+)s", stderr
        )

    assert restart_delays("exit 3", stable=60, seconds=4.5)[:3] == ["1", "2", "4"]
    # Each run outlasts the "stable" time: every restart is quick again.
    assert restart_delays("sleep 0.3; exit 3", stable=0.2, seconds=4.5)[:3] == ["1", "1", "1"]
