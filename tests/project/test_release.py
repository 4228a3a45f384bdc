"""`make release` builds the artifact hosts install with no package index (bin/release).

The build itself needs PyPI (uv resolves the hashes, pip downloads the wheels) and a minute, so
the suite checks what can be checked without them: the target and the script are wired, and the
script, the manifest it writes and the runbook give hosts one and the same install command, which
reaches no index and insists on hashes. The script checks its own artifact each time it runs (an
offline install in a scratch virtualenv, then `manage.py check`).
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "release"
INSTALL = "pip install --no-index --find-links wheels --require-hashes -r requirements.lock"


def test_make_release_runs_the_script():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^release:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "bin/release" in recipe.group(1)
    assert SCRIPT.stat().st_mode & 0o111
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)


def test_the_script_builds_what_its_manifest_and_the_runbook_promise():
    script = SCRIPT.read_text()
    # Hashes for exactly the pinned dependencies, wheels for the hosts' platform from PyPI alone.
    assert re.search(r"\$UV\" pip compile requirements/base\.txt .*--generate-hashes", script)
    assert "--require-hashes --only-binary=:all:" in script
    assert "--python-version 3.11" in script and "x86_64" in script
    assert "PIP_CONFIG_FILE=/dev/null" in script
    # The manifest names the install command, the script rehearses it, the runbook gives it.
    assert f'echo "install: {INSTALL}"' in script
    rehearsal = re.search(
        r'"\$WORK/venv/bin/pip" install(.*?)\n\s*-r requirements\.lock', script, re.S
    )
    assert rehearsal
    options = " ".join(rehearsal.group(1).replace("\\", " ").split())
    assert "--no-index --find-links wheels --require-hashes" in options
    runbook = (ROOT / "docs" / "deploy.md").read_text()
    assert f".venv/bin/{INSTALL}" in runbook
    assert "dist/" in (ROOT / ".gitignore").read_text()
