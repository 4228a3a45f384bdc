"""The stack behind `make run`, started by bin/run-local once bin/local-env has set its variables.

dynalite (DynamoDB on LevelDB, data in $DATA_DIR/dynalite) and moto's server for SQS (the
order-events queue and its dead-letter queue, in memory) first; then the database, the table,
the queues, demo data and demo accounts; then gunicorn and the order-events worker. Once all
are up, a service that dies is restarted (bin/supervisor.py), the others carrying on; when
moto's server comes back its queues are created again. Ctrl-C or SIGTERM stops everything.
"""

import os
import sys
from pathlib import Path

from supervisor import Service, StartupFailed, Stopping, Supervisor, say

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    env = os.environ
    data_dir = Path(env["DATA_DIR"])
    python = env.get("PY", ".venv/bin/python")
    supervisor = Supervisor()
    supervisor.signals_install()

    def manage(*args: str) -> list[str]:
        return [python, "manage.py", *args]

    def queues_ensure() -> None:
        say(
            "moto's SQS server keeps its queues in memory: the events they held are lost "
            "(the links already recorded are in dynalite); creating the queues again"
        )
        supervisor.step_run(manage("ensure_queues"), label="manage.py ensure_queues")

    dynalite = Service(
        name="dynalite",
        command=[
            "node",
            "bin/dynalite.js",
            "--host",
            "127.0.0.1",
            "--port",
            env["DYNALITE_PORT"],
            "--path",
            str(data_dir / "dynalite"),
        ],
        ready_port=int(env["DYNALITE_PORT"]),
    )
    moto = Service(
        name="moto SQS server",
        command=[".venv/bin/moto_server", "-H", "127.0.0.1", "-p", env["SQS_PORT"]],
        ready_port=int(env["SQS_PORT"]),
        log=data_dir / "moto_server.log",
        after_restart=queues_ensure,
    )
    gunicorn = Service(
        name="gunicorn",
        command=[
            ".venv/bin/gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{env['PORT']}",
        ],
    )
    worker = Service(name="order-events worker", command=manage("consume_order_events"))

    try:
        try:
            for service in (dynalite, moto):
                supervisor.service_start(service)
            for service in (dynalite, moto):
                supervisor.service_wait_ready(service)
            supervisor.step_run([python, "bin/local_setup.py"], label="the setup")
            for service in (dynalite, moto):
                if service.process.poll() is not None:
                    raise StartupFailed(f"{service.name} exited during startup")
            print(
                f"\nPhone lookup tool: http://127.0.0.1:{env['PORT']}/  (accounts agent / lead / "
                "admin, password $DEMO_PASSWORD or support-demo)\n"
                f"Order events: {env['ORDER_EVENTS_QUEUE_URL']} (try in another terminal: "
                "bin/local-manage publish_order_event --customer ID --phone NUMBER --country CC; "
                "docs/ingestion.md)\n"
                "A service that stops on its own is restarted (README.md, make run).\n"
                "Press Ctrl-C to stop.",
                flush=True,
            )
            supervisor.service_start(gunicorn)
            supervisor.service_start(worker)
            supervisor.supervise()
        except StartupFailed as exc:
            say(f"{exc}; stopping the rest.")
            return 1
        except Stopping as exc:
            say(f"{exc}: stopping everything")
            return 0
    finally:
        supervisor.stop_all()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
