"""The page scripts (elearn/static/js) stay within ES2017 for older TV-box browsers: the same
check `make test` runs (scripts/check-js.js, acorn), here so a plain pytest run sees it too."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-js.js"


def _check(*targets) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "Node.js is part of the setup (see README)"
    assert (ROOT / "node_modules" / "acorn").is_dir(), "run `make frontend` (npm install)"
    return subprocess.run([node, str(CHECK), *map(str, targets)], capture_output=True, text=True, timeout=60)


def test_every_page_script_parses_as_es2017():
    """Every script under elearn/static/js parses as an ES2017 classic script."""
    result = _check()
    assert result.returncode == 0, result.stderr


def test_the_check_refuses_newer_syntax(tmp_path):
    """Optional chaining, ?? and class fields in a page script make the check fail, naming the file."""
    for number, source in enumerate(["a = b?.c;", "a = b ?? 1;", "class A { x = 1; }"]):
        (tmp_path / f"page{number}.js").write_text(source, encoding="utf-8")
    result = _check(tmp_path)
    assert result.returncode == 1
    assert all(f"page{number}.js" in result.stderr for number in range(3)), result.stderr
