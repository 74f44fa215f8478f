"""A three-story KazPost-style site written into a folder, shared by the WARC and re-extraction tests."""

from __future__ import annotations

import random
import re
from pathlib import Path

_WORDS = (
    "river city council budget report minister farmers harvest railway station school teachers water lake "
    "energy prices market trade border customs officials residents protest court judge election voters "
    "parliament bank loan factory workers salary mountain village road bridge hospital doctors winter"
).split()
HEADLINES = [
    "Farmers protest new wheat tariff in the north",
    "City council approves budget for new railway station",
    "Drought threatens cattle herds in mountain villages",
]


def slug(headline: str) -> str:
    """The site's article path for a headline (KazPost's slug rule)."""
    return re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")


def article_html(headline: str, seed: int) -> str:
    """A story page with a masthead render date and six paragraphs of seeded text."""
    rng = random.Random(seed)
    paras = "".join(
        "<p>" + " ".join(rng.choice(_WORDS) for _ in range(35)).capitalize() + ".</p>" for _ in range(6)
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{headline} - KazPost</title></head>'
        '<body><header><a href="/">KazPost</a><p>Kazakhstan News</p><div>Saturday, Feb 22, 2025</div></header>'
        f'<main><article><h1>{headline}</h1><div class="entry-content">{paras}</div></article></main></body></html>'
    )


def write_site(root: Path) -> Path:
    """The three stories and a home page listing them, as files under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    links = ""
    for seed, headline in enumerate(HEADLINES):
        (root / slug(headline)).write_text(article_html(headline, seed), encoding="utf-8")
        links += f'<li><a href="/{slug(headline)}">{headline}</a></li>'
    (root / "index.html").write_text(f"<html><body><h1>KazPost</h1><ul>{links}</ul></body></html>")
    return root
