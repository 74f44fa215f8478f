"""The package's face: `import scraper` gives exactly the documented public names (as httpx checks its own)."""

from __future__ import annotations

import re
import types
from pathlib import Path

import click

import cli
import scraper
import scraper.errors

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _library_section() -> str:
    return README.split("\n## The library\n", 1)[1].split("\n## ", 1)[0]


def test_all_is_the_documented_face() -> None:
    named = set(re.findall(r"`scraper\.(\w+)", _library_section()))
    documented = {n for n in named if not n.startswith("_") and not isinstance(getattr(scraper, n), types.ModuleType)}
    assert set(scraper.__all__) == documented | set(scraper.errors.__all__) | {"__version__"}


def test_every_public_non_module_attribute_is_exported() -> None:
    public = {name for name, value in vars(scraper).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    assert public == set(scraper.__all__) - {"__version__"}


def test_every_exported_name_exists() -> None:
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None, name


def test_extract_is_the_function() -> None:
    assert isinstance(scraper.extract, types.FunctionType)
    article = scraper.extract(b"<html><head><title>T</title></head><body><h1>Hello there</h1>"
                              b"<p>" + b"Some words of a story. " * 20 + b"</p></body></html>")
    assert isinstance(article, scraper.Article)
    assert article.headline == "Hello there"


def test_crawl_and_fetch_are_functions() -> None:
    assert isinstance(scraper.crawl, types.FunctionType) and isinstance(scraper.fetch, types.FunctionType)


WRITERS = {"crawl", "fetch", "demo", "reextract", "import-warc", "merge"}


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in getattr(param, "opts", [])}


def test_commands_that_write_an_archive_take_db_quiet_and_log() -> None:
    for name in WRITERS:
        assert {"--db", "--quiet", "--log"} <= _options(cli.main.commands[name]), name


def test_commands_that_read_an_archive_take_db() -> None:
    for name in ("search", "export", "stats", "history", "show"):
        assert "--db" in _options(cli.main.commands[name]), name
