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


def test_a_backwards_import_breaks_the_layers(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    text = tree / "scraper" / "extractor" / "text.py"
    text.write_text(text.read_text() + "\nfrom scraper.crawler.urls import canonicalize  # noqa: E402\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "scraper.extractor.text -> scraper.crawler.urls" in result.stdout


def test_the_store_may_not_parse_html(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    schema = tree / "scraper" / "store" / "schema.py"
    schema.write_text(schema.read_text() + "\nimport lxml.html  # noqa: E402\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "the store knows records, not HTTP or HTML BROKEN" in result.stdout


def test_the_library_may_not_import_the_cli(tmp_path: Path) -> None:
    tree = _copy_tree(tmp_path)
    export = tree / "scraper" / "research" / "export.py"
    export.write_text(export.read_text() + "\nimport cli  # noqa: E402\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "the library never imports the command line BROKEN" in result.stdout
