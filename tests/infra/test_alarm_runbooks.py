"""Every alarm in the template has a runbook section in docs/deploy.md, and every runbook section
is about an alarm the template has: whoever is woken by an alarm finds what to do, and no
section describes an alarm that no longer exists."""

import re
from pathlib import Path

from tests.infra.template import template_load

DEPLOY_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
SUFFIX = re.compile(r"^\$\{AWS::StackName\}-([a-z0-9-]+)$")


def template_alarm_names(template: dict) -> dict[str, str]:
    """Alarm name (without the stack's prefix) of every alarm, whatever its condition."""
    names = {}
    for logical, resource in template["Resources"].items():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        match = SUFFIX.match(resource["Properties"]["AlarmName"]["Fn::Sub"])
        assert match, f"{logical}: AlarmName must be ${{AWS::StackName}}-<name>"
        names[match.group(1)] = logical
    return names


def runbook_sections(markdown: str) -> dict[str, set[str]]:
    """The '### ' sections under '## Alarms', each with the alarm names it gives as `<stack>-…`."""
    alarms = markdown.split("\n## Alarms\n", 1)[1].split("\n## ", 1)[0]
    sections = {}
    for chunk in alarms.split("\n### ")[1:]:
        title, _, body = chunk.partition("\n")
        sections[title.strip()] = set(re.findall(r"`<stack>-([a-z0-9-]+)`", body))
    return sections


def runbook_problems(*, template: dict, markdown: str) -> list[str]:
    alarms = template_alarm_names(template)
    sections = runbook_sections(markdown)
    covered = set().union(*sections.values()) if sections else set()
    problems = [
        f"alarm {logical} (<stack>-{name}) has no runbook section"
        for name, logical in sorted(alarms.items())
        if name not in covered
    ]
    for title, names in sections.items():
        if not names & set(alarms):
            problems.append(f"runbook section {title!r} names no alarm of the template")
        problems += [
            f"runbook section {title!r} names <stack>-{name}, which the template does not have"
            for name in sorted(names - set(alarms))
        ]
    return problems


def test_every_alarm_has_a_runbook_section_and_every_section_an_alarm():
    markdown = DEPLOY_DOC.read_text(encoding="utf-8")
    assert runbook_problems(template=template_load(), markdown=markdown) == []
    # Enough alarms that this is not vacuous: every tier.
    assert len(template_alarm_names(template_load())) >= 15


def test_a_missing_section_or_a_section_without_an_alarm_is_reported():
    template = template_load()
    markdown = DEPLOY_DOC.read_text(encoding="utf-8")
    section = "\n### Worker heartbeat missing\n"
    assert section in markdown
    start = markdown.index(section)
    end = markdown.index("\n### ", start + 1)
    without = markdown[:start] + markdown[end:]
    assert runbook_problems(template=template, markdown=without) == [
        "alarm WorkerHeartbeatAlarm (<stack>-worker-heartbeat-missing) has no runbook section"
    ]

    stray = markdown.replace("\n## Alarms\n", "\n## Alarms\n\n### Disk full\n\nNo alarm here.\n", 1)
    assert runbook_problems(template=template, markdown=stray) == [
        "runbook section 'Disk full' names no alarm of the template"
    ]
