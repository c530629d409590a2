"""Dependencies run one way (DESIGN.md §3): the import-linter contract in pyproject.toml holds, and it
really catches a wrong-way import, inside a function too."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path, package_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--config", str(cwd / "pyproject.toml"), "--no-cache"], cwd=cwd,
                          capture_output=True, text=True, env={"PYTHONPATH": str(package_dir), "PATH": ""},
                          timeout=120)


def test_the_layers_contract_is_kept():
    """Every import in elearn/, module-level or inside a function, goes from a higher layer to a lower one."""
    result = _lint(ROOT, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    """core asking learning something (even from inside a function) is reported with the offending line."""
    shutil.copytree(ROOT / "elearn", tmp_path / "elearn", ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "elearn" / "core" / "utils.py").open("a") as fh:
        fh.write("\n\ndef _sneaky():\n    from ..learning import services  # noqa: F401\n")
    result = _lint(tmp_path, tmp_path)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and "elearn.core.utils -> elearn.learning" in result.stdout
