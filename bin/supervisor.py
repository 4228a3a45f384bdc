"""A small process supervisor for the local stack (bin/local_stack.py; stdlib only).

Each service runs in a process group of its own, so that it can be stopped with whatever it
started (gunicorn's workers), and receives SIGTERM should the supervisor itself die (Linux's
parent-death signal), so that even a `kill -9` of the supervisor leaves no orphans behind.

A service that dies is restarted: after 1 s, then 2, 4, ... up to 30 s while it keeps dying
within a minute of its start; a run that lasted a minute resets the backoff. SIGINT, SIGTERM
and SIGHUP stop every service, the last started first, and end the supervisor.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0  # a run this long was not a crash loop: the next restart is quick again
STOP_SECONDS = 25.0  # gunicorn's graceful_timeout is 20 s; the worker finishes its batch
POLL_SECONDS = 0.1

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def say(message: str) -> None:
    print(f"run-local: {message}", file=sys.stderr, flush=True)


def status_text(returncode: int) -> str:
    """A return code as the shell shows it (128 + signal), naming the signal."""
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"status {128 - returncode} (killed by {name})"
    return f"status {returncode}"


class Stopping(Exception):
    """A signal asked the supervisor to stop."""


class StartupFailed(Exception):
    """A service died, or a setup step failed, before the stack was up."""


@dataclass(eq=False)
class Service:
    name: str
    command: list[str]
    ready_port: int | None = None  # listening there once started
    log: Path | None = None  # its output to this file instead of the terminal
    # Run once it is back after a restart (moto's SQS: its queues must be created again).
    after_restart: Callable[[], None] | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None


class Supervisor:
    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        self.env = env
        self.services: list[Service] = []
        self.stop_signal: str | None = None

    # --- signals ---------------------------------------------------------------------------

    def signals_install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, frame) -> None:
        self.stop_signal = signal.Signals(signum).name

    def check_stop(self) -> None:
        if self.stop_signal is not None:
            raise Stopping(self.stop_signal)

    def pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_stop()
            time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0)))
        self.check_stop()

    # --- starting --------------------------------------------------------------------------

    def _spawn(self, command: list[str], *, log: Path | None = None) -> subprocess.Popen:
        output = open(log, "ab") if log else None  # noqa: SIM115 - the child keeps it
        try:
            return subprocess.Popen(  # noqa: S603 - our own commands
                command,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                stdin=subprocess.DEVNULL,
                process_group=0,
                preexec_fn=_die_with_parent,  # safe: the supervisor runs no threads
            )
        finally:
            if output:
                output.close()

    def service_start(self, service: Service) -> None:
        if service not in self.services:
            self.services.append(service)
        service.process = self._spawn(service.command, log=service.log)
        service.started_at = time.monotonic()
        service.restart_at = None

    def service_wait_ready(self, service: Service, *, timeout: float = 30.0) -> None:
        """Until its port answers; StartupFailed if it dies or stays silent."""
        if service.ready_port is None:
            return
        deadline = time.monotonic() + timeout
        while True:
            self.check_stop()
            try:
                socket.create_connection(("127.0.0.1", service.ready_port), timeout=0.2).close()
                return
            except OSError:
                pass
            if service.process.poll() is not None:
                raise StartupFailed(
                    f"{service.name} exited during startup with "
                    f"{status_text(service.process.returncode)}"
                )
            if time.monotonic() > deadline:
                raise StartupFailed(
                    f"{service.name} is not listening on port {service.ready_port} "
                    f"after {timeout:.0f}s"
                )
            time.sleep(POLL_SECONDS)

    def step_run(self, command: list[str], *, label: str) -> None:
        """A setup command, in the foreground; StartupFailed if it fails."""
        process = self._spawn(command)
        try:
            while process.poll() is None:
                self.check_stop()
                time.sleep(POLL_SECONDS)
        finally:
            if process.poll() is None:
                _group_stop(process, timeout=10.0)
        if process.returncode != 0:
            raise StartupFailed(f"{label} failed with {status_text(process.returncode)}")

    # --- keeping them going ----------------------------------------------------------------

    def supervise(self) -> None:
        """Restart whatever dies, until a signal asks to stop (then raises Stopping)."""
        while True:
            self.check_stop()
            now = time.monotonic()
            for service in self.services:
                if service.restart_at is None and service.process.poll() is not None:
                    self._on_death(service, now=now)
                elif service.restart_at is not None and now >= service.restart_at:
                    self._restart(service)
            time.sleep(POLL_SECONDS)

    def _on_death(self, service: Service, *, now: float) -> None:
        process = service.process
        _group_kill(process.pid)  # what it started (gunicorn's workers) holds its port
        if now - service.started_at >= STABLE_SECONDS:
            service.quick_deaths = 0
        delay = min(BACKOFF_FIRST_SECONDS * 2**service.quick_deaths, BACKOFF_MAX_SECONDS)
        service.quick_deaths += 1
        service.restart_at = now + delay
        say(
            f"{service.name} (pid {process.pid}) exited with {status_text(process.returncode)} "
            f"after {now - service.started_at:.0f}s; restarting it in {delay:.0f}s"
            + (f" (its output: {service.log})" if service.log else "")
        )

    def _restart(self, service: Service) -> None:
        self.service_start(service)
        say(f"{service.name} restarted (pid {service.process.pid})")
        if service.after_restart is None:
            return
        try:
            self.service_wait_ready(service)
            service.after_restart()
        except StartupFailed as exc:
            say(f"{service.name} did not come back: {exc}")
            # Killed, it is seen dead at the next round and restarted after its backoff.
            _group_kill(service.process.pid)
            service.process.wait()

    # --- stopping --------------------------------------------------------------------------

    def stop_all(self) -> None:
        """Stop every service, the last started first, each with its process group."""
        for service in reversed(self.services):
            if service.process is not None:
                _group_stop(service.process, timeout=STOP_SECONDS)


def _group_kill(pgid: int, sig: int = signal.SIGKILL) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_stop(process: subprocess.Popen, *, timeout: float) -> None:
    """SIGTERM to its group, SIGKILL to whatever of it remains after `timeout`."""
    _group_kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        say(f"{process.args[0]} (pid {process.pid}) ignored SIGTERM for {timeout:.0f}s: killed")
    _group_kill(process.pid)
    process.wait()
