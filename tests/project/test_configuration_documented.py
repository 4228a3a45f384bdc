"""Every variable the tool reads is documented, once, where an operator looks; nothing else is.

An operator configures the tool from `.env.example` and docs/deploy.md's "Every setting" table.
The variables the code reads are found by parsing supporttool/settings.py and gunicorn.conf.py
(every `env(...)`, `env.<type>(...)`, `os.environ.get(...)`, `os.environ[...]`); `make run`'s
own are the `${NAME...}` of bin/local-env and bin/run-local; AWS variables are botocore's, so
each one documented is shown to change what boto3 does. A variable the code reads but the
documents miss, or one they document but nothing reads (a typo, a removed setting, a name
botocore does not know), fails here. So does a default the settings table states unlike the
code, or a number gunicorn.conf.py's comments state (threads, processes, connection lifetime)
that is not the code's.
"""

import ast
import contextlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.management import get_commands, load_command_class
from gunicorn.config import Config as GunicornConfig

from lookup.queue import queue_client
from lookup.repository.dynamo import dynamodb_client

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "supporttool" / "settings.py", ROOT / "gunicorn.conf.py"]
LOCAL_SCRIPTS = [ROOT / "bin" / "local-env", ROOT / "bin" / "run-local"]
ENV_EXAMPLE = ROOT / ".env.example"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
README = ROOT / "README.md"
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
ENV_FILE_ON_HOSTS = "/etc/phone-lookup/phone-lookup.env"

_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


# --- what reads what ------------------------------------------------------------------------------


def _literal_name(call: ast.Call, path: Path) -> str:
    first = call.args[0] if call.args else None
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        pytest.fail(
            f"{path.name}:{call.lineno} reads a variable by a computed name; this test can only "
            "check literal names"
        )
    return first.value


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _reads_environment(func: ast.AST) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "env"  # env("NAME")
    if not isinstance(func, ast.Attribute):
        return False
    if isinstance(func.value, ast.Name) and func.value.id == "env":
        return True  # env.str("NAME"), env.bool(...), env.db(...), ...
    if isinstance(func.value, ast.Name) and func.value.id == "os":
        return func.attr == "getenv"
    return _is_os_environ(func.value) and func.attr == "get"  # os.environ.get("NAME")


def variables_read_by(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and _reads_environment(node.func):
            names.add(_literal_name(node, path))
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
                pytest.fail(f"{path.name}:{node.lineno} reads os.environ by a computed name")
            names.add(node.slice.value)
    return names


def code_reads() -> set[str]:
    return set().union(*(variables_read_by(path) for path in CODE))


def local_script_reads() -> set[str]:
    """`${NAME}` / `${NAME:-default}` in make run's scripts. AWS names do not count: the scripts
    only pass them on to botocore, which is what has to read them."""
    names = set()
    for path in LOCAL_SCRIPTS:
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", path.read_text()))
    return {name for name in names if not name.startswith("AWS_")}


def _session() -> boto3.session.Session:
    return boto3.session.Session()


# botocore's variables the documents may name, each with a value and what boto3 then does with
# it, through the app's own client factories where there is one.
BOTOCORE = {
    "AWS_DEFAULT_REGION": ("eu-north-1", lambda: dynamodb_client().meta.region_name),
    "AWS_ENDPOINT_URL_DYNAMODB": (
        "http://127.0.0.1:4567",
        lambda: dynamodb_client().meta.endpoint_url,
    ),
    "AWS_ENDPOINT_URL_SQS": ("http://127.0.0.1:4568", lambda: queue_client().meta.endpoint_url),
    "AWS_ACCESS_KEY_ID": ("AKIAEXAMPLEEXAMPLE", lambda: _session().get_credentials().access_key),
    "AWS_SECRET_ACCESS_KEY": ("example-secret", lambda: _session().get_credentials().secret_key),
}


# --- what documents what --------------------------------------------------------------------------


def env_example_lines() -> list[tuple[str, str | None]]:
    """(name, value) per `NAME=value` line; value None when the line is commented out."""
    entries = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        if match := re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line):
            entries.append((match.group(1), match.group(2)))
        elif match := re.match(r"^# ?([A-Z][A-Z0-9_]*)=", line):
            entries.append((match.group(1), None))
    return entries


def markdown_section(text: str, heading: str) -> str:
    """From `heading` to the next heading of the same or a higher level (outside code blocks)."""
    level = len(heading) - len(heading.lstrip("#"))
    lines, taken, fenced = [], False, False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        is_heading = not fenced and re.match(r"^(#+) ", line)
        if taken and is_heading and len(is_heading.group(1)) <= level:
            break
        if taken:
            lines.append(line)
        taken = taken or line == heading
    assert taken, f"no section {heading!r}"
    return "\n".join(lines) + "\n"


def table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not re.match(r"^\|[\s|:-]+\|$", line):
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(cells)
    return rows


def deploy_table() -> list[tuple[str, str]]:
    """(name, default cell) per row of docs/deploy.md's "Every setting" tables."""
    section = markdown_section(DEPLOY_DOC.read_text(), "### Every setting")
    entries = []
    for cells in table_rows(section):
        if cells[0] == "variable":
            continue  # a header row
        match = re.fullmatch(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        assert match, f"one variable per row in the settings table, not {cells[0]!r}"
        entries.append((match.group(1), cells[1]))
    return entries


def production_environment() -> dict[str, str]:
    section = markdown_section(DEPLOY_DOC.read_text(), "### Production environment")
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "docs/deploy.md lost its production environment block"
    return dict(
        line.split("=", 1)
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith("#")
    )


def _duplicates(names: list[str]) -> set[str]:
    return {name for name in names if names.count(name) > 1}


# --- the code's variables are documented ----------------------------------------------------------


def test_the_parser_sees_every_kind_of_read():
    """Guards the guard: one variable of each way of reading, multi-line calls included."""
    reads = code_reads()
    assert {
        "DJANGO_ENV_FILE",  # env.str inside environ.Env.read_env(...)
        "DJANGO_SECRET_KEY",  # env.str
        "DJANGO_ALLOWED_HOSTS",  # env.list
        "DATABASE_URL",  # env.db
        "DJANGO_STATIC_ROOT",  # env.path
        "OIDC_TIMEOUT_SECONDS",  # env.float, named unlike its setting
        "RATE_LIMIT_API_KEY_FAILURES_PER_MINUTE",  # a call over several lines
        "GUNICORN_WORKERS",  # os.environ.get in gunicorn.conf.py
        "PORT",  # os.environ.get nested in an f-string
    } <= reads
    assert len(reads) > 60


def test_every_variable_the_code_reads_is_in_env_example():
    documented = {name for name, _ in env_example_lines()}
    assert sorted(code_reads() - documented) == []


def test_every_variable_the_code_reads_is_in_the_deploy_settings_table():
    documented = {name for name, _ in deploy_table()}
    assert sorted(code_reads() - documented) == []


def test_each_variable_is_documented_once():
    assert _duplicates([name for name, _ in env_example_lines()]) == set()
    assert _duplicates([name for name, _ in deploy_table()]) == set()


# --- and nothing else is --------------------------------------------------------------------------


def test_env_example_documents_only_what_something_reads():
    readers = code_reads() | local_script_reads() | set(BOTOCORE)
    documented = {name for name, _ in env_example_lines()}
    assert sorted(documented - readers) == []


def test_the_deploy_table_documents_only_what_the_app_or_botocore_reads():
    documented = {name for name, _ in deploy_table()}
    assert sorted(documented - (code_reads() | set(BOTOCORE))) == []


@pytest.mark.parametrize("name", sorted(BOTOCORE))
def test_each_aws_variable_documented_is_one_boto3_obeys(name, monkeypatch):
    value, observed = BOTOCORE[name]
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv(name, value)
    assert observed() == value


def test_the_readme_and_the_production_environment_name_only_documented_variables():
    documented = {name for name, _ in deploy_table()}
    configuration = markdown_section(README.read_text(), "## Configuration")
    in_readme = {
        name
        for cells in table_rows(configuration)
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
    }
    assert in_readme, "the README's configuration table went missing"
    assert sorted(in_readme - documented) == []
    assert "docs/deploy.md" in configuration
    assert sorted(set(production_environment()) - documented) == []


# --- the documented values are the code's ---------------------------------------------------------


def _clean_environment(**extra: str) -> dict[str, str]:
    """The test run's environment without any variable the tool reads, plus `extra`."""
    documented = {name for name, _ in env_example_lines()} | code_reads()
    base = {k: v for k, v in os.environ.items() if k not in documented and not k.startswith("AWS_")}
    return {**base, **extra}


_DUMP_SETTINGS = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'supporttool.settings'; "
    "django.setup(); from django.conf import settings; "
    "print(sorted((k, repr(getattr(settings, k))) for k in dir(settings) "
    "if k.isupper() and k not in {'SECRET_KEY', 'ALLOWED_HOSTS'}))"
)


def _settings_dump(env_file: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", _DUMP_SETTINGS],
        cwd=ROOT,
        env=_clean_environment(
            DJANGO_ENV_FILE=env_file,
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="support.example.com",
            DYNAMODB_TABLE_NAME="phone-lookup",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return re.sub(r" at 0x[0-9a-f]+", "", result.stdout)  # objects' addresses differ per run


def test_env_example_is_a_working_file_whose_values_are_the_defaults():
    """Copied to .env as it is, it configures exactly what no file configures: every value it
    sets is the default (and parses: a typo in a value would stop the settings loading)."""
    assert _settings_dump(str(ENV_EXAMPLE)) == _settings_dump(os.devnull)


def test_gunicorn_defaults_are_the_documented_ones():
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps([c['bind'], c['workers'], c['threads']]))"
    )
    values = dict(env_example_lines())
    documented = {name: values[name] for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "PORT")}

    def loaded(**env: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=_clean_environment(**env),
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return result.stdout

    assert loaded(**documented) == loaded()


def test_the_deploy_table_and_env_example_agree_on_defaults():
    """Where .env.example sets a value and the table's default is one literal, they match."""
    set_values = {name: value for name, value in env_example_lines() if value is not None}
    disagreements = [
        (name, default, set_values[name])
        for name, default in deploy_table()
        if name in set_values
        and re.fullmatch(r"`[^`]*`", default)
        and default.strip("`") != set_values[name]
    ]
    assert disagreements == []


# --- the example systemd units run what the app has -----------------------------------------------


def _exec_lines(unit: Path) -> list[list[str]]:
    return [
        line.split("=", 1)[1].split()
        for line in unit.read_text().splitlines()
        if line.startswith("ExecStart=")
    ]


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_example_units_run_existing_commands_with_the_documented_settings_file(unit):
    text = unit.read_text()
    assert f"EnvironmentFile={ENV_FILE_ON_HOSTS}\n" in text
    assert ENV_FILE_ON_HOSTS in DEPLOY_DOC.read_text()
    for argv in _exec_lines(unit):
        if argv[0].endswith("/gunicorn"):
            options = GunicornConfig().parser().parse_args(argv[1:])  # exits on a bad option
            assert options.config == "gunicorn.conf.py"
            assert (ROOT / options.config).exists()
            continue
        assert argv[1] == "manage.py", argv
        name, arguments = argv[2], argv[3:]
        app = get_commands().get(name)
        assert app, f"{unit.name}: no management command {name!r}"
        command = load_command_class(app, name)
        command.create_parser("manage.py", name).parse_args(arguments)  # exits on a bad option


# --- the documented defaults and the numbers in gunicorn.conf.py's comments are the code's --------

GUNICORN_CONF = ROOT / "gunicorn.conf.py"
SETTINGS_PY = ROOT / "supporttool" / "settings.py"


def literal_defaults(path: Path) -> dict[str, object]:
    """NAME -> the default the code gives when it is a literal: `env.<type>("NAME",
    default=<literal>)` in the settings, `os.environ.get("NAME", "<literal>")` in gunicorn's."""
    defaults: dict[str, object] = {}
    reads: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.Call) and _reads_environment(node.func) and node.args):
            continue
        name = _literal_name(node, path)
        reads.append(name)
        given = [k.value for k in node.keywords if k.arg == "default"] + node.args[1:2]
        # A computed default (from DJANGO_DEBUG, another setting, a path) is not compared.
        with contextlib.suppress(ValueError):
            defaults[name] = ast.literal_eval(given[0]) if given else None
    # Read twice (with DJANGO_DEBUG and without): the default depends on the mode, not compared.
    return {name: value for name, value in defaults.items() if reads.count(name) == 1}


def _as_documented(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(value)


def _same(cell: str, value: object) -> bool:
    if value is None:
        return cell.startswith(("required", "none"))
    if value in ("", [], ()):
        return cell.split(" ")[0].strip("`") in {"none", "empty", "—"}
    first = re.match(r"`([^`]*)`", cell)
    if not first:
        return False
    documented = first.group(1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(documented) == float(value)
        except ValueError:
            return False
    return documented == _as_documented(value)


def test_the_parser_reads_literal_defaults():
    """Guards the guard: each kind of literal default is seen."""
    settings_defaults = literal_defaults(SETTINGS_PY)
    assert settings_defaults["DATABASE_CONN_MAX_AGE"] == 300
    assert settings_defaults["TRUST_PROXY_HEADERS"] is False
    assert settings_defaults["PHONE_REGIONS"] == ["GB"]
    assert settings_defaults["OIDC_TIMEOUT_SECONDS"] == 5.0
    assert "DJANGO_SECURE_COOKIES" not in settings_defaults  # `not DEBUG`: computed
    assert literal_defaults(GUNICORN_CONF)["GUNICORN_THREADS"] == "16"
    assert _same("`300`", 300) and not _same("`0`", 300) and _same("none", "")


def test_the_deploy_settings_table_states_the_code_defaults():
    """Each row's default (its first `literal`, or none/empty) is the code's, where the code's
    default is a literal; rows with computed defaults are checked by the settings dump above."""
    code = literal_defaults(SETTINGS_PY) | literal_defaults(GUNICORN_CONF)
    wrong = [
        (name, cell, code[name])
        for name, cell in deploy_table()
        if name in code and not _same(cell, code[name])
    ]
    assert wrong == []


def _gunicorn_prose() -> str:
    """gunicorn.conf.py's docstring and comments: what an operator reads there."""
    text = GUNICORN_CONF.read_text()
    module = ast.parse(text)
    comments = [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]
    return (ast.get_docstring(module) or "") + "\n" + "\n".join(comments)


def test_the_numbers_gunicorn_conf_states_are_the_code_defaults():
    prose = _gunicorn_prose()
    gunicorn = literal_defaults(GUNICORN_CONF)
    settings_defaults = literal_defaults(SETTINGS_PY)
    checks = [
        # (what the prose says, the code's default)
        (r"(\d+) threads", int(gunicorn["GUNICORN_THREADS"])),
        (r"(\d+) process(?:es)? of", int(gunicorn["GUNICORN_WORKERS"])),
        (r"(\d+)-core machines", int(gunicorn["GUNICORN_WORKERS"])),  # one process per core
        (r"CONN_MAX_AGE\W+(\d+)", settings_defaults["DATABASE_CONN_MAX_AGE"]),
        (r"KEEPALIVE\D{0,20}?(\d+)", int(gunicorn["GUNICORN_KEEPALIVE"])),
    ]
    found = {pattern: [int(n) for n in re.findall(pattern, prose)] for pattern, _expected in checks}
    assert found[r"(\d+) threads"], "gunicorn.conf.py no longer states its thread count"
    assert found[r"CONN_MAX_AGE\W+(\d+)"], "gunicorn.conf.py no longer says how connections live"
    wrong = [
        (pattern, stated, expected)
        for pattern, expected in checks
        for stated in found[pattern]
        if stated != expected
    ]
    assert wrong == []
    # The README's summary of the same configuration.
    summary = re.search(r"(\d+) processes of (\d+)\s+threads", README.read_text())
    assert summary and summary.groups() == (
        gunicorn["GUNICORN_WORKERS"],
        gunicorn["GUNICORN_THREADS"],
    )
