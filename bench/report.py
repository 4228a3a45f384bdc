"""The results as a table on the terminal and as JSON under the data folder."""

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict:
    """What the numbers were measured on: they mean little without it."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "node": _output(["node", "--version"]),
        "dynalite": json.loads(
            (ROOT / "node_modules" / "dynalite" / "package.json").read_text()
        ).get("version"),
        "commit": _output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def results_write(results: dict, *, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"results-{stamp}.json"
    text = json.dumps(results, indent=2, default=str)
    path.write_text(text)
    (folder / "latest.json").write_text(text)
    return path


def _thousands(size: int | str) -> str:
    size = int(size)
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def report_lines(results: dict) -> list[str]:
    lines: list[str] = []
    host = results["machine"]
    lines += [
        f"Machine: {host['cpus']} CPUs ({host['cpu']}), {host['memory_gb']} GB; load average"
        f" {host['load_average'][0]} at the start, {host.get('load_average_after', ['?'])[0]}"
        " at the end (other work on the machine makes the numbers noisier).",
        "",
    ]
    pages = results.get("pages")
    if pages:
        lines += [
            "Pages: p50 / p95 ms. page = HTTP to gunicorn as a signed-in agent (audit on);",
            "raw = the boto3 calls for the same data, same run. diff = page p50 - raw p50.",
            "",
            f"{'items':>6} {'cust.':>5} {'page':<8} {'page p50':>8} {'p95':>6} {'raw p50':>8}"
            f" {'p95':>6} {'ratio':>6} {'diff':>6} {'DDB req':>7} {'SQL':>4}",
        ]
        for size, block in pages.items():
            for case, views in block["cases"].items():
                for view in ("search", "customer"):
                    entry = views[view]
                    page, raw = entry["page"], entry["raw"]
                    lines.append(
                        f"{_thousands(size):>6} {case:>5} {view:<8} {page['p50_ms']:>8.1f}"
                        f" {page['p95_ms']:>6.1f} {raw['p50_ms']:>8.1f} {raw['p95_ms']:>6.1f}"
                        f" {entry['ratio_p50']:>5.1f}x {entry['difference_p50_ms']:>6.1f}"
                        f" {entry['dynamodb_requests']:>7} {entry['sql_queries']:>4}"
                    )
        lines.append("")
        lines += _accounts_lines(pages)
        for size, block in pages.items():
            data = block["dataset"]
            how = (
                f"loaded now in {data['load_seconds']:.0f}s"
                if data["loaded_now"]
                else f"reused (loaded in {data['load_seconds']:.0f}s)"
            )
            lines.append(
                f"table {_thousands(size)}: {data['items']} items, {data['customers']} customers,"
                f" {how}; gunicorn CPU {block['gunicorn_cpu_ms_per_page']:.1f} ms per page;"
                f" HTTP floor (GET /healthz) {block['http_floor']['p50_ms']:.1f} ms p50"
            )
            lines.append(
                f"table {_thousands(size)}: a search finding its customer through another form"
                f" of the number (1 eq) took {block['equivalent_vs_plain_search_p50']:.2f}x"
                " the plain one-customer search (1) at p50"
            )
        lines.append("")
    ingestion = results.get("ingestion")
    if ingestion:
        lines += [
            "Ingestion: events/s (raw: conditional writes/s), same dynalite, same concurrency,",
            "batches of ten as received from SQS.",
            "",
            f"{'conc.':>5} {'raw put':>8} {'raw upd':>8} {'ingest':>8} {'worker':>8}"
            f" {'worker/ingest':>13} {'ingest/put':>10} {'events':>7} {'CPU ms/ev':>9}",
        ]
        for level, entry in ingestion["levels"].items():
            lines.append(
                f"{level:>5} {entry['raw']['put_per_s']:>8.0f} {entry['raw']['update_per_s']:>8.0f}"
                f" {entry['ingest_only_per_s']:>8.0f} {entry['worker']['events_per_s']:>8.0f}"
                f" {entry['worker_vs_ingest']:>12.0%} {entry['ingest_vs_raw_put']:>10.0%}"
                f" {entry['worker']['events']:>7} {entry['worker']['cpu_ms_per_event']:>9.2f}"
            )
        memory = ingestion.get("memory")
        if memory:
            lines += [
                "",
                f"Worker memory over {memory['events']} events (concurrency"
                f" {memory['concurrency']}): RSS {memory['warm_rss_mb']} MB after the first"
                f" tenth, {memory['final_rss_mb']} MB at the end, peak {memory['peak_rss_mb']} MB;"
                f" {memory['growth_mb_per_10k_events']:+} MB per 10k events.",
            ]
        counts = ingestion.get("requests")
        if counts:
            per_kind = ", ".join(
                f"{kind} {entry['dynamodb_requests']}"
                + (
                    f" ({entry['read_units']} RCU, {entry['write_units']} WCU)"
                    if "write_units" in entry
                    else ""
                )
                for kind, entry in counts["per_kind"].items()
            )
            loop = counts["worker_loop"]
            lines += [
                f"DynamoDB requests per event: {per_kind}.",
                f"Through the worker loop ({loop['events']} events, mix {loop['mix']}):"
                f" {loop['dynamodb_per_event']} DynamoDB + {loop['sqs_per_event']} SQS requests"
                " per event.",
            ]
        lines.append("")
    profile = results.get("profile")
    if profile:
        for name, entry in profile.items():
            lines.append(
                f"Profile {name}: {entry['requests']} {entry['unit']}, {entry['samples']} samples,"
                f" {entry['ms_per_unit']:.1f} ms per {entry['unit'].rstrip('s')} in the process"
            )
            for category, share in entry["categories"].items():
                lines.append(f"  {category:<44} {share['ms']:>6.2f} ms {share['share']:>6.1%}")
        lines.append("")
    if results.get("audit"):
        from bench.audit import report_lines as audit_lines

        lines += audit_lines(results["audit"])
    if results.get("review"):
        from bench.review import review_lines

        lines += review_lines(results["review"])
    return lines


def _accounts_lines(pages: dict) -> list[str]:
    """The customer page of a shared account beside one of 10 numbers (bench/accounts.py)."""
    lines: list[str] = []
    for size, block in pages.items():
        accounts = block.get("accounts")
        if not accounts:
            continue
        lines += [
            "",
            f"Customer page by account size (table {_thousands(size)}, a page of"
            f" {accounts['page_size']} numbers): page = HTTP, raw = its two Queries read to the"
            " end; p50 / p95 ms.",
            f"{'numbers':>7} {'page p50':>8} {'p95':>6} {'raw p50':>8} {'p95':>6} {'diff':>6}"
            f" {'bytes':>7} {'rows':>4} {'CPU ms':>6} {'DDB req':>7} {'raw req':>7} {'items':>6}",
        ]
        for links, entry in accounts["by_links"].items():
            page, raw = entry["page"], entry["raw"]
            lines.append(
                f"{links:>7} {page['p50_ms']:>8.1f} {page['p95_ms']:>6.1f} {raw['p50_ms']:>8.1f}"
                f" {raw['p95_ms']:>6.1f} {entry['difference_p50_ms']:>6.1f}"
                f" {entry['response_bytes']:>7} {entry['rows']:>4}"
                f" {entry['gunicorn_cpu_ms_per_page']:>6.1f} {entry['dynamodb_requests']:>7}"
                f" {entry.get('raw_requests', '?'):>7} {entry.get('items_read', '?'):>6}"
            )
    return lines
