"""The import contract in pyproject.toml holds, and import-linter really catches a backwards import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, timeout=300)


def _copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "scraper", tree / "scraper", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    shutil.copy(ROOT / "cli.py", tree / "cli.py")
    shutil.copytree(ROOT / "cli_commands", tree / "cli_commands", ignore=shutil.ignore_patterns("__pycache__"))
    return tree


def test_the_project_keeps_its_import_contracts() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _lint_with_line_added(tmp_path: Path, module: str, line: str) -> str:
    """Lint a copy of the project whose scraper/MODULE ends with LINE; the lint must fail: its report."""
    tree = _copy_tree(tmp_path)
    source = tree / "scraper" / module
    source.write_text(source.read_text() + f"\n{line}  # noqa: E402\n")
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    return result.stdout


def test_a_backwards_import_breaks_the_layers(tmp_path: Path) -> None:
    report = _lint_with_line_added(tmp_path, "extractor/text.py", "from scraper.crawler.urls import canonicalize")
    assert "BROKEN" in report and "scraper.extractor.text -> scraper.crawler.urls" in report


def test_the_store_may_not_parse_html(tmp_path: Path) -> None:
    report = _lint_with_line_added(tmp_path, "store/schema.py", "import lxml.html")
    assert "the store knows records, not HTTP or HTML BROKEN" in report


def test_the_library_may_not_import_the_cli(tmp_path: Path) -> None:
    report = _lint_with_line_added(tmp_path, "research/export.py", "import cli")
    assert "the library never imports the command line BROKEN" in report
