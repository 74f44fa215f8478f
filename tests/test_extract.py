"""extract(): the record it builds, its helpers, and the fixture site's ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scraper.config import SiteConfig
from scraper.errors import ExtractionError
from scraper.extractor.article import (
    EXTRACTOR_VERSION,
    content_hash,
    extract,
    parse_html,
)
from scraper.extractor.byline import clean_authors
from scraper.extractor.content import backup_wins, prune_tree
from scraper.extractor.fields import strip_site_name
from scraper.extractor.related import RELATED_HEADING, find_related
from scraper.extractor.text import guess_language

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "fixtures" / "site"
EXPECTED = ROOT / "fixtures" / "expected"
ORIGIN = "http://127.0.0.1:8765"

PARAS = [
    "The first paragraph of a short story about a new bridge over the Ili river, opened on Monday after two years.",
    "A second paragraph with the cost of the works, the name of the contractor and what drivers said about it.",
    "A third paragraph in which the regional governor promises that the old ferry will keep running all summer.",
]


def page(
    body: str = "",
    head: str = "<title>Bridge opens - Example News</title>",
    after: str = "",
) -> str:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    return f"<html lang='en'><head>{head}</head><body><h1>Bridge opens</h1>{body}<div>{paras}</div>{after}</body></html>"


def fixture_bytes(path: str) -> bytes:
    file = SITE / path.strip("/")
    return (file / "index.html" if file.is_dir() or path == "/" else file).read_bytes()


# -- the record ----------------------------------------------------------------------------------


def test_str_and_bytes_give_the_same_article() -> None:
    html = page()
    from_str = extract(html, "https://news.example.com/bridge")
    from_bytes = extract(html.encode("utf-8"), "https://news.example.com/bridge")
    assert from_str == from_bytes
    assert from_str.headline == "Bridge opens"
    assert from_str.paragraphs == PARAS


def test_passthrough_fields() -> None:
    article = extract(page(), None, fetched_at="2025-02-22T10:00:00+00:00", status=200)
    assert article.url == ""
    assert article.fetched_at == "2025-02-22T10:00:00+00:00"
    assert article.status == 200
    assert article.extractor_version == EXTRACTOR_VERSION
    assert article.site is None


def test_site_canonical_and_word_count() -> None:
    head = "<title>Bridge opens</title><link rel='canonical' href='/news/bridge-opens'>"
    article = extract(
        page(head=head), "https://WWW.Example.com/news/bridge-opens?ref=rss"
    )
    assert article.site == "example.com"
    assert article.canonical_url == "https://WWW.Example.com/news/bridge-opens"
    assert article.word_count == sum(len(p.split()) for p in PARAS)
    assert article.page_type == "article"
    assert article.language == "en"


def test_base_href_resolves_related_links() -> None:
    related = "<h3>Related</h3><ul><li><a href='ferry-stops'>Old ferry stops for good next spring</a></li></ul>"
    html = page(
        head="<title>x</title><base href='https://cdn.example.org/news/'>",
        after=related,
    )
    article = extract(html, "https://news.example.com/bridge")
    assert article.related == [
        {
            "title": "Old ferry stops for good next spring",
            "url": "https://cdn.example.org/news/ferry-stops",
        }
    ]


def test_related_is_deduplicated_and_skips_the_page_itself() -> None:
    links = "".join(
        f"<li><a href='{href}'>Some other story number {i} here</a></li>"
        for i, href in enumerate(
            ["/a", "/b", "/a#top", "/bridge", "/c", "/tag/rivers/", "/d"]
        )
    )
    html = page(after=f"<div class='related-posts'><ul>{links}</ul></div>")
    article = extract(html, "https://n.example.com/bridge")
    assert [r["url"] for r in article.related] == [
        f"https://n.example.com/{x}" for x in "abcd"
    ]


def test_boilerplate_xpaths_of_the_site_are_removed() -> None:
    promo = "<div class='promo-box'><p>Buy our printed almanac today, now with forty extra pages of maps.</p></div>"
    site = SiteConfig(
        host="news.example.com", boilerplate_xpaths=("//div[@class='promo-box']",)
    )
    assert "almanac" in extract(page(promo), "https://news.example.com/b").body
    assert (
        "almanac"
        not in extract(page(promo), "https://news.example.com/b", site=site).body
    )


def test_bad_boilerplate_xpath_is_an_extraction_error() -> None:
    site = SiteConfig(boilerplate_xpaths=("//div[",))
    with pytest.raises(ExtractionError) as info:
        extract(page(), "https://news.example.com/b", site=site)
    assert info.value.url == "https://news.example.com/b"


def test_malformed_urls_do_not_break_extraction() -> None:
    head = "<title>x</title><base href='http://[::1'><link rel='canonical' href='http://[bad'>"
    article = extract(page(head=head), "https://news.example.com/b")
    assert article.canonical_url is None
    assert article.paragraphs == PARAS


# -- not a page at all ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\t ",
        b"\x00\x01\x02PK\x03\x04" * 200,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(600),
    ],
    ids=["empty", "whitespace", "nul-bytes", "png"],
)
def test_not_a_page_raises(data: bytes) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(data, "https://news.example.com/x")
    assert info.value.url == "https://news.example.com/x"
    assert info.value.kind == "extraction"


def test_json_served_as_html_is_other() -> None:
    assert (
        extract(
            b'{"items": [1, 2, 3], "next": null}', "https://api.example.com/x"
        ).page_type
        == "other"
    )


def test_parse_html_decodes_with_the_header_charset() -> None:
    tree = parse_html(
        "<p>Привет, мир</p>".encode("cp1251"), "text/html; charset=windows-1251"
    )
    assert tree.findtext(".//p") == "Привет, мир"


# -- content hash --------------------------------------------------------------------------------


def test_content_hash_follows_the_text_not_the_whitespace() -> None:
    base = content_hash("Bridge opens", "One paragraph.\n\nTwo paragraphs.")
    assert base == content_hash(
        "Bridge  opens ", "One  paragraph.\n\n\nTwo paragraphs. "
    )
    assert base != content_hash("Bridge opens", "One paragraph.\n\nTwo paragraph.")
    assert base != content_hash("Bridge closes", "One paragraph.\n\nTwo paragraphs.")
    assert len(base) == 64 and int(base, 16) >= 0


def test_article_hash_changes_with_the_body() -> None:
    first = extract(page(), "https://news.example.com/b")
    changed = extract(
        page().replace("two years", "three years"), "https://news.example.com/b"
    )
    spaced = extract(page().replace("<p>", "<p>\n   "), "https://news.example.com/b")
    assert first.content_hash != changed.content_hash
    assert first.content_hash == spaced.content_hash


# -- helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Jane Doe and John Roe, Staff Writers", ["Jane Doe", "John Roe"]),
        ("Von Anna Müller und Eva Braun", ["Anna Müller", "Eva Braun"]),
        ("Autor: Hans Meier", ["Hans Meier"]),
        ("By Anna Lee | Reporter", ["Anna Lee"]),
        ("VON MORITZ GATHMANN am 21. April 2020", ["MORITZ GATHMANN"]),
        ("Jane Doe; John Roe & Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
        ("Perry Bacon Jr.", ["Perry Bacon Jr."]),
        ("Grant Tinsley, PhD", ["Grant Tinsley"]),
        ("Anna von Bergen", ["Anna von Bergen"]),
        ("Posted on", []),
        ("https://example.com/author/jane", []),
    ],
)
def test_clean_authors(raw: str, names: list[str]) -> None:
    assert clean_authors(raw) == names


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Chinese Kazakhs face trial - KazPost", "Chinese Kazakhs face trial"),
        ("Chinese Kazakhs face trial | KazPost", "Chinese Kazakhs face trial"),
        ("KazPost: Chinese Kazakhs face trial", "Chinese Kazakhs face trial"),
        (
            "Paper straws found toxic - study | kazpost.com",
            "Paper straws found toxic - study",
        ),
        ("Paper straws found toxic - study", "Paper straws found toxic - study"),
    ],
)
def test_strip_site_name(title: str, expected: str) -> None:
    assert strip_site_name(title, {"kazpost", "kazpost.com"}) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Национальная валюта Казахстана заметно ослабла по отношению к доллару США. "
            * 5,
            "ru",
        ),
        (
            "Қазақстанның ұлттық валютасы доллармен салыстырғанда әлсіреді және нарық өзгерді. "
            * 5,
            "kk",
        ),
        (
            "The national currency of Kazakhstan weakened against the dollar and it was the worst day. "
            * 5,
            "en",
        ),
        (
            "Die Landeswährung ist gegenüber dem Dollar und dem Euro deutlich schwächer geworden, sagt die Bank. "
            * 5,
            "de",
        ),
        ("12345 67890", None),
    ],
)
def test_guess_language(text: str, lang: str | None) -> None:
    assert guess_language(text) == lang


# -- body pruning: patterns found on held-out pages (author boxes, teaser cards, feeds) -----------


def _pruned_text(html: str) -> str:
    tree = parse_html(html)
    prune_tree(tree, [], "Bridge opens", ())
    return " ".join(tree.text_content().split())


@pytest.mark.parametrize(
    "box",
    [
        "<div class='entry-author author-avatar'><p>Ayan Kerimov writes about roads and rivers.</p></div>",
        "<div class='TestReport__AuthorBox'><p>Ayan Kerimov writes about roads and rivers.</p></div>",
        "<div class='cbx-Author is-inline'><p>Ayan Kerimov writes about roads and rivers.</p></div>",
        "<div class='highlight'><div class='header'>AUTOR</div><p>Ayan Kerimov writes about roads and rivers.</p></div>",
        "<section><div class='mod-title'><h4>About the author</h4></div><p>Ayan Kerimov writes about roads and rivers.</p></section>",
        "<div><h3>Zur Person</h3><p>Ayan Kerimov writes about roads and rivers.</p></div>",
    ],
)
def test_author_boxes_are_pruned(box: str) -> None:
    text = _pruned_text(page(after=box))
    assert "Ayan Kerimov" not in text
    assert all(p in text for p in PARAS)


def test_an_about_the_author_heading_in_the_story_container_keeps_the_story() -> None:
    # the label's parent is the whole text container: far too big to be a bio box
    body = "".join(f"<p>{p}</p>" for p in PARAS * 4)
    html = f"<html><body><h1>Bridge opens</h1><div><h3>Über den Autor</h3>{body}</div></body></html>"
    assert PARAS[2] in _pruned_text(html)


def _cards(n: int) -> str:
    return "".join(
        f"<div class='card'><h2><a href='/story-{i}'>Another story number {i} about the steppe</a></h2>"
        f"<img src='/i{i}.jpg'><p>Teaser text of story {i} […]</p></div>"
        for i in range(n)
    )


def test_runs_of_teaser_cards_are_pruned() -> None:
    text = _pruned_text(page(after=f"<div id='next-posts'>{_cards(3)}</div>"))
    assert "Teaser text of story" not in text and "Another story number" not in text
    assert all(p in text for p in PARAS)


def test_two_cards_or_linked_subheads_in_the_text_are_kept() -> None:
    assert "Teaser text of story 1" in _pruned_text(page(after=f"<div>{_cards(2)}</div>"))
    subheads = "".join(
        f"<h2><a href='https://shop.example.com/{i}'>Product number {i} on test</a></h2><p>{p}</p>"
        for i, p in enumerate(PARAS)
    )
    html = f"<html><body><h1>Bridge opens</h1><div class='story'>{subheads}</div></body></html>"
    text = _pruned_text(html)
    assert "Product number 2 on test" in text and PARAS[2] in text


def test_backup_loses_to_a_full_story_trafilatura_found() -> None:
    other = [f"Paragraph {i} of a longer, different story further down the feed page." for i in range(12)]
    own = [f"Paragraph {i} of the page's own story that trafilatura extracted." for i in range(8)]
    assert not backup_wins(own, other)  # a feed of whole articles: trafilatura's is the page's own
    assert backup_wins(["© Example News, 2025"], other)  # a layout table trafilatura flattened
    assert not backup_wins(["© Example News, 2025"], other[:2])  # too little to judge


@pytest.mark.parametrize(
    ("heading", "related"),
    [
        ("Das Thema könnte dich auch interessieren:", True),
        ("Das könnte Sie auch interessieren", True),
        ("Auch auf kaspiblog.example.de", True),
        ("Mehr zum Thema auf kaspiblog.example.de", True),
        ("Weitere aktuelle Themen aus der Arbeitswelt", True),
        ("Auch auf Mallorca", False),
        ("Mehr Geld für Schulen", False),
    ],
)
def test_related_headings(heading: str, related: bool) -> None:
    assert bool(RELATED_HEADING.match(heading)) is related


def test_a_link_list_holding_the_story_body_is_no_related_block() -> None:
    links = "".join(f"<li><a href='/p/{i}'>Other post number {i} here</a></li>" for i in range(60))
    story = " ".join(PARAS) + " " + PARAS[0]
    html = (
        "<html><body><div class='outer'><div class='main'><div class='post-body entry-content'>"
        f"{story}</div></div><div class='side'><ul>{links}</ul></div></div></body></html>"
    )
    blocks = find_related(parse_html(html), "https://example.com/post").elements
    assert blocks and all(b.get("class") != "outer" for b in blocks)
    assert len(find_related(parse_html(html), "https://example.com/post").links) == 60


def test_a_roundup_whose_items_are_links_is_the_story_not_a_related_block() -> None:
    # A deals roundup: an intro paragraph, then items that are mostly links. The list opens
    # with the story's first running paragraph, so it is the story; the list of other
    # stories after it is still a related block.
    items = "".join(f"<p><a href='https://shop.example.net/item/{i}'>Wireless headphones model {i}"
                    f" with a long product name</a> for $5{i}.99</p>" for i in range(30))
    others = "".join(f"<li><a href='/story/{i}'>Another story number {i} here</a></li>"
                     for i in range(8))
    html = (
        "<html><body><h1>Deals we found today</h1><div><p>As a recurring feature, our team "
        "combs the Web and shares some amazing deals it has turned up. Here is what caught "
        f"our eye today, December 19.</p>{items}</div><div><ul>{others}</ul></div></body></html>"
    )
    article = extract(html, "https://news.example.com/deals")
    assert article.body.startswith("As a recurring feature")
    assert "Wireless headphones model 29" in article.body
    assert [r["url"] for r in article.related] == [
        f"https://news.example.com/story/{i}" for i in range(8)]


def test_the_story_behind_a_read_more_expander_is_no_related_block() -> None:
    rest = "".join(
        f"<p>Paragraph {i} of the rest of the story, which goes on about the bridge, its cost and "
        f"<a href='/topic/bridges'>other bridges</a> the region has built over the last decades, "
        f"with quotes from drivers and engineers alike.</p>" for i in range(14))
    teasers = "".join(
        f"<div><a href='/story/{i}'>Another story number {i} here</a><p>A teaser summary of that "
        f"story in a sentence or two.</p></div>" for i in range(5))
    html = (
        f"<html><body><h1>Bridge opens</h1><div class='body'><p>{PARAS[0]}</p>"
        f"<div class='read-more-button'>Read More</div><div class='read-all'>{rest}</div></div>"
        f"<h3>Related</h3><div class='teasers'>{teasers}</div></body></html>"
    )
    article = extract(html, "https://news.example.com/bridge")
    assert "Paragraph 13 of the rest of the story" in article.body
    assert [r["url"] for r in article.related] == [
        f"https://news.example.com/story/{i}" for i in range(5)]


def test_a_body_split_into_several_article_body_blocks_is_read_whole() -> None:
    # CNBC-style: each part of the story in its own itemprop=articleBody block, ads between.
    def part(n: int) -> str:
        paras = "".join(f"<p>Part {n}, paragraph {i}: the coal market in the Mountain States keeps "
                        f"shifting to gas and wind, say the analysts quoted here.</p>" for i in range(4))
        return f"<div class='wrap'><div class='group' itemprop='articleBody'>{paras}</div></div>"
    ad = "<div class='ad'><a href='/promo'>Sponsored</a></div>"
    html = (f"<html><body><h1>Coal loses steam</h1><div id='article_body'>"
            f"{part(1)}{ad}{part(2)}{ad}{part(3)}</div></body></html>")
    body = extract(html, "https://news.example.com/coal").body
    assert "Part 1, paragraph 0" in body and "Part 3, paragraph 3" in body
    assert body.index("Part 1,") < body.index("Part 2,") < body.index("Part 3,")


@pytest.mark.parametrize(
    ("headings", "expected"),
    [("<h2>Der Verband im Porträt</h2>", "Der Verband im Porträt"),  # the heading repeats it
     ("<h2>Genossenschaftsverband Bayern (GVB)</h2>",  # a heading repeating the site part
      "Der Verband im Porträt | Genossenschaftsverband Bayern (GVB)")],
)
def test_without_h1_the_title_part_a_heading_repeats_is_the_headline(headings: str, expected: str) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f"<html lang='de'><head><title>Der Verband im Porträt&nbsp;&#124;&nbsp;"
            f"Genossenschaftsverband Bayern (GVB)</title></head><body><h1></h1>{headings}{paras}"
            f"</body></html>")
    assert extract(html, "https://www.gv-bayern.de/portraet").headline == expected


@pytest.mark.parametrize("promo", [
    "Never miss the latest news by signing up to our newsletter today!",
    "Sign up for the CorkBeo newsletter",
    "Siguenos en",
    "For the latest stories and breaking news updates download the Nationnews apps for iOS and Android.",
    "Do you want to be informed of our actions? Sign up here",
])
def test_inline_newsletter_and_app_boxes_leave_the_body(promo: str) -> None:
    more = [f"{p} It went on like that for a while." for p in PARAS]
    paras = [PARAS[0], promo, PARAS[1], PARAS[2], *more]  # set inline, not among the last lines
    body = bridge_body(paras)
    assert promo not in body and PARAS[2] in body
    # the same words inside a sentence of the story stay
    story = f"Readers who sign up for the newsletter get it on Mondays, {PARAS[0]}"
    assert story in bridge_body([story if p == promo else p for p in paras])


def bridge_body(paras: list[str]) -> str:
    """The body extracted from a small story page of ``paras`` under the headline "Bridge opens"."""
    html = ("<html lang='en'><head><title>Bridge opens</title></head><body><h1>Bridge opens</h1>"
            + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>")
    return extract(html, "https://news.example.com/bridge").body


@pytest.mark.parametrize("credit", [
    "Foto: MDR/Bernd Cramer", "© Oli Scarff/Getty Images", "Image credit: www.apple.com/in/",
    "AFP / MARCO BERTORELLO", "Getty Images",
    "Inhaltsverzeichnis", "Table of contents",  # a table of contents' label (two dev sites)
])
def test_photo_credit_lines_leave_the_body(credit: str) -> None:
    paras = [PARAS[0], credit, PARAS[1], PARAS[2]]
    body = bridge_body(paras)
    assert credit not in body and PARAS[1] in body


# Five dev sites: captions ending in their picture's credit, a rights notice under the story.
@pytest.mark.parametrize("line", [
    "Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO",
    "Rubriklistenbild: © KCNA/dpa",
    "© 2022, Example News. This article is the copyrighted property of Example News. Written permission "
    "must be obtained before reprint in online or print media.",
    "Copyright 2020 Example News. All rights reserved. This material may not be published, broadcast, "
    "rewritten or redistributed.",
])
def test_captions_with_a_credit_and_rights_notices_leave_the_body(line: str) -> None:
    paras = [PARAS[0], PARAS[1], line, PARAS[2]]
    body = bridge_body(paras)
    assert line not in body and PARAS[2] in body


@pytest.mark.parametrize("line", [
    "The label on the record read \"All rights reserved\", the lawyer told the court on Tuesday.",
    "© is the sign the court looked at first, and the judge asked the label to explain its use on the sleeve.",
    # a sentence about licences (a dates-set page): the mark neither opens the line nor carries a year
    "Under the motto \"some rights reserved\", the licences sit between copyright (all rights reserved) "
    "and the public domain.",
])
def test_rights_words_in_a_sentence_of_the_story_stay(line: str) -> None:
    assert line in bridge_body([PARAS[0], line, PARAS[1], PARAS[2]])


# Five dev sites: newsletter, messenger-channel, paywall and support appeals set inside the story.
@pytest.mark.parametrize("line", [
    "Lust auf mehr? Lass dir die besten Storys jede Woche liefern. Melde dich hier für unseren Newsletter an!",
    "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular en este enlace de invitación.",
    "Pour lire la suite",
    "Tú también puedes hacer periodismo incómodo. Cancela cuando quieras.",
    "Gefällt dir unser Magazin? Wir haben entschieden, keine Bezahlschranke (Paywall) einzuführen.",
    "Sign up for our morning newsletter to get the top stories in your inbox.",
    "Subscribe now to continue reading this story.",
    "To continue reading, log in or create a free account.",
])
def test_appeals_inside_the_story_leave_the_body(line: str) -> None:
    paras = [PARAS[0], PARAS[1], line, PARAS[2]]
    body = bridge_body(paras)
    assert line not in body and PARAS[2] in body


# Two dev sites (a pet-product guide, a finance site): affiliate and advertiser disclosures.
@pytest.mark.parametrize("line", [
    "Dieser Artikel enthält Affiliate-Links und/oder werbende Inhalte. Mehr dazu kannst Du hier nachlesen.",
    "Letzte Aktualisierung am 2.02.2022 / Bei den Verlinkungen handelt es sich um Affiliate Links",
    "We recommend the best products through an independent review process, and advertisers do not influence "
    "our picks. We may receive compensation if you visit partners we recommend.",
])
def test_affiliate_disclosures_leave_the_body(line: str) -> None:
    paras = [PARAS[0], line, PARAS[1], PARAS[2]]
    body = bridge_body(paras)
    assert line not in body and PARAS[1] in body


@pytest.mark.parametrize("line", [
    "Customers can cancel anytime, the company said, but few of them know that the fee stays.",
    "Der Vertrag ist jederzeit kündbar, sagt die Verbraucherzentrale, doch die Gebühr bleibt.",
    "The newsletter had 5,000 readers before the mayor's office stopped sending it in March.",
    # an author's own pointer at the end of a post (a dates-set page) is no paywall
    "If you'd like to continue reading about pathlib, check out my follow-up article on it.",
    "Die Polizei beobachtet den Kanal auf Telegram seit Wochen, sagte ein Sprecher am Montag.",
    "Christine hat sich bereit erklärt, wieder einen Newsletter zu schreiben. Da sie nicht an der Sitzung war.",
    "Regulators say the site's affiliate links earned it millions, and the case goes to court in March.",
])
def test_the_same_words_in_a_sentence_of_the_story_stay(line: str) -> None:
    assert line in bridge_body([PARAS[0], line, PARAS[1], PARAS[2]])


def test_a_line_naming_agencies_in_a_sentence_stays() -> None:
    line = "Photo agencies such as AFP and Getty Images were at the opening, the mayor said."
    assert line in bridge_body([PARAS[0], line, PARAS[1], PARAS[2]])


# -- the fixture site's ground truth -------------------------------------------------------------


def _expected_articles() -> list[Path]:
    return sorted(
        p
        for p in EXPECTED.rglob("*.json")
        if p.name not in ("index_pages.json", "other_pages.json")
    )


@pytest.mark.parametrize("spec_file", _expected_articles(), ids=lambda p: p.stem)
def test_fixture_article(spec_file: Path) -> None:
    spec: dict[str, Any] = json.loads(spec_file.read_text(encoding="utf-8"))
    root = (
        ROOT
        / "fixtures"
        / ("sibling" if spec_file.parent.name == "sibling" else "site")
    )
    article = extract(
        (root / spec["path"].strip("/")).read_bytes(), ORIGIN + spec["path"]
    )
    assert article.headline == spec["headline"]
    assert article.lede == spec["lede"]
    assert article.authors == spec["authors"]
    assert article.source_credit == spec["source_credit"]
    assert (article.published or "")[:10] == (spec["published"] or "")
    assert article.page_type == "article"
    body_file = spec_file.with_name(spec_file.stem + ".body.txt")
    assert article.paragraphs == body_file.read_text(encoding="utf-8").strip().split(
        "\n\n"
    )
    assert len(article.related) == spec["related_count"]
    for snippet in spec["must_not_contain"]:
        assert snippet not in article.body and snippet not in (article.lede or "")


@pytest.mark.parametrize(
    "path", json.loads((EXPECTED / "index_pages.json").read_text())
)
def test_fixture_index_pages(path: str) -> None:
    assert extract(fixture_bytes(path), ORIGIN + path).page_type == "index"


@pytest.mark.parametrize(
    "spec",
    json.loads((EXPECTED / "other_pages.json").read_text()),
    ids=lambda s: s["path"],
)
def test_fixture_other_pages(spec: dict[str, str]) -> None:
    article = extract(fixture_bytes(spec["path"]), ORIGIN + spec["path"])
    assert article.page_type == "other"
    assert article.published is None


def test_a_listing_page_skips_trafilaturas_rescue_extractors():
    """Index pages are runs of teasers: no justext rescue (it loads ~25 MB of stoplists into each worker)."""
    code = (
        "import trafilatura.external as ext\n"
        "from scraper.extractor.article import extract\n"
        "from benchmarks.sitegen import GeneratedSite\n"
        "site = GeneratedSite(120)\n"
        "for path in site.index_paths():\n"
        "    article = extract(site.render(path)[2], 'http://127.0.0.1:9' + path)\n"
        "    assert article.page_type == 'index', (path, article.page_type)\n"
        "print(ext.JT_STOPLIST is None)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "True"


@pytest.mark.parametrize(
    ("h1", "expected"),
    [("<span><i>Fantastic Beasts</i>: A Nice Place to Visit</span>",
      "Fantastic Beasts: A Nice Place to Visit"),  # inline markup joins without a space
     ("<span class='kicker'>Film review</span><span>A Nice Place to Visit</span>",
      "A Nice Place to Visit"),  # the kicker stays out
     ("A Nice Place<br>to Visit", "A Nice Place to Visit"),  # a line break parts words
     # the colon that joined an overline leaves with it (two dev sites)
     ("<span class='ts-overline'>Film review</span><span class='ts-colon'>: </span>"
      "<span class='ts-headline'>A Nice Place to Visit</span>", "A Nice Place to Visit"),
     # a date line set in the heading, with its bullet and category label (a dates-set page)
     ("A Nice Place to Visit<br><small>02.02.2022 • <span class='news-list-category'>Kino</span></small>",
      "A Nice Place to Visit")],
)
def test_headline_text_as_a_reader_sees_it(h1: str, expected: str) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f"<html lang='en'><head><title>Review - Example News</title></head><body>"
            f"<article><h1>{h1}</h1>{paras}</article></body></html>")
    assert extract(html, "https://news.example.com/review").headline == expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [("<title>A Nice Place to Visit | The Daily Example</title>", "",  # "The" + the host's name is the site
      "A Nice Place to Visit"),
     ("<title>Daily Example</title>", "<h2 itemprop='headline'>A Nice Place to Visit</h2>",  # schema.org microdata
      "A Nice Place to Visit"),
     ("<title>A Nice Place to Visit | Daily Example</title>",  # a date set inside the heading
      "<h1>A Nice Place to Visit <small>March 4, 2020</small></h1>", "A Nice Place to Visit"),
     ("<title>A Nice Place to Visit | Daily Example</title>",  # capitals in the HTML, mixed case in the title
      "<h1>A NICE PLACE TO VISIT</h1>", "A Nice Place to Visit"),
     ("<title>Daily Example</title>", "<h1>A NICE PLACE TO VISIT</h1>", "A NICE PLACE TO VISIT")],
)
def test_headline_signals_of_common_news_markup(head: str, body: str, expected: str) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = f"<html lang='en'><head>{head}</head><body><article>{body}{paras}</article></body></html>"
    assert extract(html, "https://dailyexample.com/news/a-nice-place").headline == expected


# A blog's logo is its <h1>, a link to the home page; the name it shows is the site's name that
# <title> repeats beside the post's (two dates-set sites), also in WordPress's old default
# "Site » Blog Archive » Post".
@pytest.mark.parametrize(
    ("title", "logo"),
    [("A Nice Place to Visit | Notes from the Garden", "Notes from the Garden"),
     ("Notes from the Garden » Blog Archive » A Nice Place to Visit", "Notes from the Garden"),
     ("Notes from the Garden » Blog Archiv » A Nice Place to Visit", "Notes from the Garden"),
     ("A Nice Place to Visit ‹ Notes from the Garden", "Notes from the Garden")],
)
def test_the_logo_headings_name_is_the_site_name_in_the_title(title: str, logo: str) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f"<html lang='en'><head><title>{title}</title></head><body>"
            f"<header><h1><a href='https://garden.example.org'>{logo}</a></h1></header>"
            f"<div class='post'>{paras}</div></body></html>")
    assert extract(html, "https://garden.example.org/2019/10/a-nice-place/").headline == "A Nice Place to Visit"


# An <h1> that reads like a link elsewhere on the page names a section or the site ("Literatur",
# a portal's name): the <h2> under it that the title signals agree with is the story's headline
# (three dev sites: a culture magazine, a Korean news portal, a finance guide).
@pytest.mark.parametrize(
    ("nav", "expected"),
    [("<a href='/kultur/literatur'>Literatur</a>", "Buch der Woche: Ein Roman aus Lagos"),
     ("", "Literatur")],  # no link names it: the <h1> stays, as before
)
def test_a_section_name_in_the_h1_gives_way_to_the_story_heading(nav: str, expected: str) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f"<html lang='de'><head><title>Magazin | Kultur | Literatur | Buch der Woche: Ein Roman aus Lagos"
            f"</title><meta property='og:title' content='Buch der Woche: Ein Roman aus Lagos - Magazin'></head>"
            f"<body><nav>{nav}</nav><article><h1>Literatur</h1><h2>Buch der Woche: Ein Roman aus Lagos</h2>"
            f"{paras}</article></body></html>")
    assert extract(html, "https://magazin.example/kultur/buch").headline == expected


# Eight dev sites put the byline, the date line or a caption in the box that holds the standfirst
# (a WordPress "entry-subhead", "19.10.2019, 15:30 Uhr <standfirst>"): the lede is the words left.
@pytest.mark.parametrize(
    ("header", "expected"),
    [("<div class='entry-subhead'><span class='byline'>von Jane Doe</span> <time datetime='2022-12-13'>"
      "13.12.2022 - 08:13 Uhr</time></div><div class='lead'><p>Wer ständig müde ist, sollte an diese "
      "Krankheiten denken.</p></div>", "Wer ständig müde ist, sollte an diese Krankheiten denken."),
     ("<div class='teaser-lead'><span class='date'>19.10.2019, 15:30 Uhr</span> Am 8. Spieltag treffen "
      "Dortmund und Gladbach aufeinander.</div>", "Am 8. Spieltag treffen Dortmund und Gladbach aufeinander."),
     ("<div class='subtitle'><span class='author'>von Jane Doe</span> <time>4.3.2020</time></div>", None)],
)
def test_the_lede_leaves_out_the_byline_and_date_set_in_its_box(header: str, expected: str | None) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    description = "<meta name='description' content='Wer ständig müde ist, sollte an diese Krankheiten denken.'>"
    html = (f"<html lang='de'><head><title>Ständig müde</title>{description}</head><body><article>"
            f"<h1>Ständig müde</h1>{header}<div class='content'>{paras}</div></article></body></html>")
    assert extract(html, "https://news.example.com/muede").lede == expected


# A post whose body is set in <div>s, not <p>s: its first subheading comes after running text and
# is no standfirst (three dates-set sites); an <h2> right under the headline still is.
@pytest.mark.parametrize(
    ("before", "expected"),
    [(f"<div>{PARAS[0]}</div><div>{PARAS[1]}</div>", None),
     ("", "Was ist denn Southern Gothic?")],
)
def test_a_subheading_after_running_text_is_no_lede(before: str, expected: str | None) -> None:
    html = ("<html lang='de'><head><title>Lesemonat Juni</title></head><body><article><h1>Lesemonat Juni</h1>"
            f"{before}<h3>Was ist denn Southern Gothic?</h3><div>{PARAS[2]}</div><div>{PARAS[0]}</div>"
            "</article></body></html>")
    assert extract(html, "https://blog.example.org/2015/06/juni.html").lede == expected


# Where the standfirst goes, a disclosure is no lede (a dates-set page): the lede passes the same
# clean-up as the body's lines; a real standfirst there stays.
@pytest.mark.parametrize(
    ("standfirst", "kept"),
    [("This post and the photos within it may contain affiliate links. If you purchase through them, "
      "we may earn a commission.", False),
     ("Twenty ideas for a nursery when you are tight on space, with a free printable.", True)],
)
def test_the_lede_passes_the_body_clean_up(standfirst: str, kept: bool) -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = (f"<html lang='en'><head><title>Small nursery ideas</title></head><body><article>"
            f"<h1>Small nursery ideas</h1><div class='entry-summary'>{standfirst}</div>"
            f"<div class='content'>{paras}</div></article></body></html>")
    article = extract(html, "https://blog.example.org/nursery")
    assert (article.lede == standfirst) is kept
    assert standfirst not in article.body


# Soft hyphens and zero-width spaces set for line breaking split a word for search (two dates-set
# pages, in a headline and a standfirst), and kept the headline's copy in the body unrecognised.
def test_invisible_characters_leave_the_headline_lede_and_body() -> None:
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    html = ("<html lang='de'><head><title>Änderung der Genesenennachweise - Beispiel</title></head><body><article>"
            "<h1>Änderung der Genesenen&shy;&shy;nachweise</h1><div class='lead'>Ihr gelang so eini&shy;ges "
            "in ihrem Leben, sagt die Forscherin\u200b heute.</div>"
            f"<div class='content'><p>Änderung der Genesenen&shy;&shy;nachweise</p>{paras}<p>Das Wort "
            "Bundes&shy;regierung steht im Text ohne Trennstrich, wie die Leser es sehen und suchen.</p></div>"
            "</article></body></html>")
    article = extract(html, "https://news.example.com/nachweise")
    assert article.headline == "Änderung der Genesenennachweise"
    assert article.lede == "Ihr gelang so einiges in ihrem Leben, sagt die Forscherin heute."
    assert "Bundesregierung" in article.body and "Genesenennachweise" not in article.body
