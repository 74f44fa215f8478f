"""find_dates: one small hand-written page per rule."""

from __future__ import annotations

import copy

import pytest
from lxml import etree
from lxml import html as lxml_html

from scraper.extractor.dates.choose import DateFinding, find_dates
from scraper.extractor.dates.layout import find_headline
from scraper.extractor.dates.sources import written_dates
from scraper.extractor.dates.text import find_text_dates, parse_machine

FETCHED = "2025-02-22T10:00:00+00:00"


def page(head: str = "", body: str = "") -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(
        f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    )


JSONLD = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
          '"headline":"H","datePublished":"2019-10-15T14:30:00+06:00",'
          '"dateModified":"2019-10-16T09:00:00+06:00"}</script>')
META = '<meta property="article:published_time" content="2018-03-04T08:00:00Z">'
TIME = '<time datetime="2017-05-06">6 May 2017</time>'
DATELINE = "<p class='byline'>Published: March 3, 2016</p>"
ARTICLE_URL = "https://news.example.com/2015/01/22/some-story"
LATER_URL = "https://news.example.com/2021/01/22/some-story"


def story(extra_head: str = "", meta_line: str = "") -> lxml_html.HtmlElement:
    return page(extra_head, f"<article><h1>Storm hits the coast</h1>{meta_line}"
                            f"<p>{'Body text of the story. ' * 20}</p></article>")


@pytest.mark.parametrize(
    ("head", "line", "expected", "source"),
    [
        (JSONLD + META, TIME + DATELINE, "2019-10-15T14:30:00+06:00", "jsonld"),
        (META, TIME + DATELINE, "2018-03-04T08:00:00+00:00", "meta"),
        ("", TIME + DATELINE, "2017-05-06", "time"),
        ("", DATELINE, "2016-03-03", "dateline"),
        ("", "", "2021-01-22", "url"),
    ],
)
def test_precedence(head: str, line: str, expected: str, source: str) -> None:
    # The URL's day is later than every other source: it is the last resort, not a check.
    found = find_dates(story(head, line), LATER_URL, fetched_at=FETCHED)
    assert (found.published, found.date_source) == (expected, source)


def test_modified_is_kept_apart() -> None:
    found = find_dates(story(JSONLD), None, fetched_at=FETCHED)
    assert found.published == "2019-10-15T14:30:00+06:00"
    assert found.modified == "2019-10-16T09:00:00+06:00"


def test_modified_meta_alone_is_not_a_publication_date() -> None:
    head = '<meta property="article:modified_time" content="2020-01-02T10:00:00Z">'
    found = find_dates(story(head), None, fetched_at=FETCHED)
    assert found.published is None
    assert found.modified is not None and found.modified.startswith("2020-01-02")


KAZPOST = """
<div class="site-header"><a class="logo" href="/">KazPost</a><span>Kazakhstan News</span>
<div class="today">Saturday, Feb 22, 2025</div></div>
<main><h1>Kazakhstan: Chinese Kazakhs arrested, face trial in remote location</h1>
<figure><img alt="Kazakhstan: Chinese Kazakhs arrested, face trial in remote location" src="x.jpg">
<figcaption>Kazakhstan: Chinese Kazakhs arrested, face trial in remote location</figcaption></figure>
<p class="lede">Two ethnic Kazakhs who fled from China to Kazakhstan have been arrested.</p>
<p>The men were arrested on October 14, following a press conference in Almaty.</p>
<p>{filler}</p>
<div class="newsletter">Newsletter</div>
<h3>Related Articles</h3>
<ul><li><a href="/a">Other story</a> <span>June 12, 2023</span></li></ul>
</main>
"""


@pytest.mark.parametrize(
    "masthead",
    [
        '<div class="site-header"><div class="today">Saturday, Feb 22, 2025</div></div>',
        "<div><p>KazPost</p><p>Kazakhstan News</p><p>Saturday, Feb 22, 2025</p></div>",
        "<header><span>Saturday, Feb 22, 2025</span></header>",
        '<div class="top"><time datetime="2025-02-22">Saturday, Feb 22, 2025</time></div>',
        '<div class="brand-line" data-date="2025-02-22">Kazakhstan News</div>',
        '<div class="top"><span class="post-date">Saturday, Feb 22, 2025</span></div>',
        ("<div><p>KazPost</p><p>Saturday, <span class='d'>22</span> <span class='month'>Feb</span>"
        " <span class='day'>22</span><span class='year'>2025</span></p></div>"),
    ],
)
def test_masthead_render_date_is_never_the_publication_date(masthead: str) -> None:
    body = KAZPOST.replace('<div class="site-header"><a class="logo" href="/">KazPost</a>'
                           '<span>Kazakhstan News</span>\n<div class="today">Saturday, Feb 22, 2025'
                           "</div></div>", masthead).replace("{filler}", "Words. " * 60)
    url = "https://kazpost.com/kazakhstan-chinese-kazakhs-arrested-face-trial-in-remote-location"
    found = find_dates(page("", body), url, fetched_at="2025-02-22T08:00:00Z")
    assert found == DateFinding(None, None, None)


def test_kazpost_like_page_without_fetch_time_is_none() -> None:
    body = KAZPOST.replace("{filler}", "Words. " * 60)
    assert find_dates(page("", body), "https://kazpost.com/some-slug").published is None


def test_russian_masthead_with_date_only_in_url() -> None:
    body = ("<div class='top-line'>Пятница, 22 ноября 2024</div>"
            "<h1>Курс тенге укрепился</h1><p>" + "Текст новости. " * 30 + "</p>")
    found = find_dates(page("", body), "https://example.kz/ru/2021/01/22/kurs-tenge",
                       fetched_at="2024-11-22T10:00:00Z")
    assert (found.published, found.date_source) == ("2021-01-22", "url")


def test_site_clock_loses_to_real_dateline() -> None:
    body = ("<div class='clock'>Tuesday, 10 December 2024 14:05</div>"
            "<h1>Council approves budget</h1><div class='meta'>15.10.2019, 14:30</div>"
            "<p>" + "Budget text. " * 30 + "</p>")
    found = find_dates(page("", body), None, fetched_at="2024-12-10T14:06:00Z")
    assert (found.published, found.date_source) == ("2019-10-15T14:30:00", "dateline")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("15.10.2019, 14:30", "2019-10-15T14:30:00"),
        ("October 15, 2019", "2019-10-15"),
        ("15 октября 2019 г., 09:05", "2019-10-15T09:05:00"),
        ("Veröffentlicht am 3. März 2020", "2020-03-03"),
        ("Published: Tuesday 15 October 2019 2.30pm", "2019-10-15T14:30:00"),
        ("12/20/16 08:00 AM", "2016-12-20T08:00:00"),  # two-digit year, slashed, with a time
        ("4 مارس 2020 - 16:52", "2020-03-04T16:52:00"),  # Arabic, Egyptian/Gulf month name
        ("نشر في 15 تشرين الأول 2019", "2019-10-15"),  # Arabic, Levantine month name (two words)
    ],
)
def test_dateline_formats(line: str, expected: str) -> None:
    body = f"<h1>A headline here</h1><div>{line}</div><p>{'Text. ' * 40}</p>"
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == (expected, "dateline")


def test_relevant_news_dates_after_body_are_ignored() -> None:
    body = ("<h1>Water prices rise</h1><p>" + "Short story text. " * 12 + "</p>"
            "<div>Relevant news</div>"
            "<div><a href='/x'>Bus fares frozen</a><span>12.03.2021, 10:00</span></div>"
            "<div><a href='/y'>Rain expected</a><span>11.03.2021, 09:00</span></div>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published is None


def test_related_block_time_elements_are_ignored() -> None:
    body = ("<article><h1>Water prices rise</h1><p>" + "Story text. " * 30 + "</p></article>"
            "<aside class='related-posts'><time datetime='2021-03-12'>12 Mar</time></aside>"
            "<div class='latest-news'><time datetime='2021-03-11'>11 Mar</time> 11.03.2021</div>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published is None


def test_comment_dates_are_ignored() -> None:
    body = ("<article><h1>Water prices rise</h1><p>" + "Story text. " * 30 + "</p></article>"
            "<div id='comments'><div class='comment'><span>Posted on 12.03.2021</span></div></div>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published is None


def test_copyright_year_is_not_a_date() -> None:
    body = ("<h1>Water prices rise</h1><p>© 01.01.2020 Example Media</p>"
            "<p>" + "Story text. " * 30 + "</p>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published is None


def test_future_dates_are_rejected() -> None:
    head = '<meta property="article:published_time" content="2030-01-01T00:00:00Z">'
    found = find_dates(story(head), ARTICLE_URL, fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2015-01-22", "url")


def test_future_is_judged_against_now_without_fetch_time() -> None:
    head = '<meta property="article:published_time" content="2999-01-01T00:00:00Z">'
    assert find_dates(story(head), None).published is None


def test_implausibly_old_dates_are_rejected() -> None:
    head = '<meta property="article:published_time" content="1970-01-01T00:00:00Z">'
    assert find_dates(story(head), None, fetched_at=FETCHED).published is None


def test_broken_jsonld_is_ignored() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
            '"2019-10-15", </script>' + META)
    found = find_dates(story(head), None, fetched_at=FETCHED)
    assert found.date_source == "meta"


def test_jsonld_of_non_article_type_is_ignored() -> None:
    head = ('<script type="application/ld+json">{"@type": "Event", '
            '"datePublished": "2019-10-15"}</script>')
    assert find_dates(story(head), None, fetched_at=FETCHED).published is None


def test_utc_timestamp_yields_to_local_day_in_url() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T01:49:09+00:00">'
    found = find_dates(story(head), "https://example.com/2023/11/08/story/", fetched_at=FETCHED)
    assert found.published == "2023-11-08"


def test_tree_is_not_mutated() -> None:
    tree = story(JSONLD, TIME + DATELINE)
    before = etree.tostring(copy.deepcopy(tree))
    find_dates(tree, ARTICLE_URL, fetched_at=FETCHED)
    assert etree.tostring(tree) == before


@pytest.mark.parametrize(
    "markup",
    ["", "<html></html>", "<p>no head</p>", "<h1></h1><time datetime='garbage'>x</time>",
     '<script type="application/ld+json">[[[[[[[[[[]]]]]]]]]]</script>',
     '<meta property="article:published_time" content="2019-13-45T99:99">'],
)
def test_never_raises(markup: str) -> None:
    tree = lxml_html.document_fromstring(markup or "<html></html>")
    assert isinstance(find_dates(tree, "not a url"), DateFinding)


@pytest.mark.parametrize(
    ("value", "day"),
    [("2019-10-15T14:30:00Z", "2019-10-15"), ("20191015", "2019-10-15"),
     ("Tue, 15 Oct 2019 14:30:00 GMT", "2019-10-15"), ("2019-10-15 14:30:00", "2019-10-15"),
     ("October 15, 2019", "2019-10-15"), ("not a date", None), ("2019-02-30", None)],
)
def test_parse_machine(value: str, day: str | None) -> None:
    stamp = parse_machine(value)
    assert (stamp.day.isoformat() if stamp else None) == day


def test_ambiguous_slash_dates_are_not_guessed() -> None:
    assert find_text_dates("03/04/2019") == []
    assert [s.iso for s in find_text_dates("25/04/2019")] == ["2019-04-25"]


def test_unmarked_story_pool_after_the_body_is_ignored() -> None:
    paragraphs = "".join(f"<p>{'Paragraph of the story, long enough to be body text. ' * 4}</p>"
                         for _ in range(4))
    pool = "".join(f"<div><a href='/s{i}'>Another story {i}</a> <span>Jun {i + 1}, 2023</span></div>"
                   for i in range(10))
    body = f"<div><h1>Kazakhstan: arrests in Almaty</h1>{paragraphs}<div>Newsletter</div>{pool}</div>"
    assert find_dates(page("", body), "https://kazpost.com/slug", fetched_at=FETCHED).published is None


def test_labelled_dateline_after_the_body_counts() -> None:
    paragraphs = "".join(f"<p>{'Paragraph of the story, long enough to be body text. ' * 4}</p>"
                         for _ in range(4))
    body = f"<div><h1>Podcast episode 158</h1>{paragraphs}<p>Veröffentlicht am 16.08.2019</p></div>"
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2019-08-16", "dateline")


def test_generic_date_meta_on_the_fetch_day_is_a_render_stamp() -> None:
    head = '<meta name="date" content="2025-02-22">'
    assert find_dates(story(head), None, fetched_at=FETCHED).published is None
    head = '<meta name="date" content="2019-05-04">'
    assert find_dates(story(head), None, fetched_at=FETCHED).published == "2019-05-04"


def test_machine_dates_disagreeing_are_settled_by_the_printed_dateline() -> None:
    head = ('<meta name="pubdate" content="2021-12-14T15:41:07+01:00">'
            '<meta name="DC.date.issued" content="2022-02-04T15:33:00+01:00">')
    found = find_dates(story(head, "<p>04.02.2022 | 15:33 Uhr</p>"), None, fetched_at=FETCHED)
    assert found.published == "2022-02-04T15:33:00+01:00"


FILLER = "".join(f"<p>{'Story text that goes on for a while. ' * 6}</p>" for _ in range(3))


def test_htmldate_guess_needs_the_day_written_in_the_story() -> None:
    # No headline, no machine date: only htmldate finds the date, and the page shows it.
    body = f"<div class='content'>{FILLER}<div class='date'>15.10.2019</div></div>"
    found = find_dates(page("", body), "https://example.com/a", fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2019-10-15", "dateline")


def test_htmldate_guess_from_a_masthead_is_refused() -> None:
    body = f"<div class='date'>Saturday, Feb 22, 2025</div><div class='content'>{FILLER}</div>"
    for fetched in (FETCHED, None):
        found = find_dates(page("", body), "https://kazpost.com/slug", fetched_at=fetched)
        assert found.published is None


LONG = "The council met for hours and the debate went on well into the night. " * 3


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("BERLIN, 15. Oktober 2019 – ", "2019-10-15"),
        ("Karlsruhe, (12.11.2021). ", "2021-11-12"),
        ("The court ruled on 15 October 2019, after a long trial. ", None),
        ("On Monday, October 14, 2019, police said. ", None),
    ],
)
def test_wire_dateline_opening_a_paragraph(opening: str, expected: str | None) -> None:
    body = f"<h1>Council approves budget</h1><p>{opening}{LONG}</p><p>{LONG}</p>"
    assert find_dates(page("", body), None, fetched_at=FETCHED).published == expected


@pytest.mark.parametrize(
    "masthead",
    ["<a href='/'>Степные вести</a> <span class='data'>Суббота, 22 февраля 2025</span>",
     "<a href='/'>Степные вести</a> <span>22 февраля 2025</span>",
     "<span>Kazakhstan News</span> <span>Saturday, Feb 22, 2025</span>"],
)
def test_brand_and_date_on_one_line_above_the_headline_is_a_masthead(masthead: str) -> None:
    body = (f"<div class='shapka'>{masthead}</div><div id='content'>"
            f"<h1>В Карагандинской области открыли мосты</h1><p>{'Текст новости. ' * 30}</p></div>")
    for fetched in (None, "2025-02-22T09:00:00+05:00"):
        assert find_dates(page("", body), "https://x.example.kz/news/mosty",
                          fetched_at=fetched).published is None


def test_date_line_right_above_the_headline_counts() -> None:
    body = ("<div><h3>02.01.2022</h3><h1>Land zahlte Erlegungsprämie</h1>"
            f"<p>{'Text der Meldung. ' * 30}</p></div>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2022-01-02", "dateline")


# --- Rules added for issue 4 part 2 (date accuracy), one pattern each ---------------------

def test_slash_date_with_equal_day_and_month_is_not_ambiguous() -> None:
    assert [s.iso for s in find_text_dates("08/08/2017")] == ["2017-08-08"]
    assert find_text_dates("08/09/2017") == []


def test_headline_matches_a_title_written_with_other_dashes() -> None:
    tree = page("", "<main><div class='page-header'><h2>Kolumne: Queer Royal - Über Dragqueens und "
                    "Dragkings</h2></div><p>" + "Text. " * 40 + "</p></main>")
    tree.find(".//title").text = "Kolumne: Queer Royal – Über Dragqueens und Dragkings"
    headline = find_headline(tree)
    assert headline is not None and headline.tag == "h2"


SIDEBAR_TEASERS = "<div class='sidebar'>" + "".join(
    f"<div class='widget'><h3>Other post {i}</h3><p>{'Teaser text. ' * 30}</p>"
    f"<div class='widget-date'>0{i}/0{i}/2017</div></div>" for i in range(1, 7)) + "</div>"


def test_sidebar_classed_page_wrapper_around_the_main_column_is_layout() -> None:
    body = ("<div class='mainwrap single sidebar'><div class='main'><div class='content'>"
            "<div class='blogpost'><div class='post-meta'><a href='/2017/08/08/'>08/08/2017</a>"
            "<a href='/author'>durch Stephan Markus</a> Keine Kommentare, Fashion News, Handgepickt</div>"
            "<h2 class='title'>Fall in love with black</h2>"
            f"<p>{'Styling text. ' * 80}</p></div></div></div>{SIDEBAR_TEASERS}</div>")
    tree = page("", body)
    tree.find(".//title").text = "Fall in love with black – Blog"
    found = find_dates(tree, None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2017-08-08", "dateline")


def test_real_sidebar_heading_is_still_not_the_headline() -> None:
    body = (f"<div class='content'><p>{'Story text. ' * 30}</p></div>"
            f"<div class='sidebar'><div class='main'><h1>Popular this week</h1></div>{SIDEBAR_TEASERS}</div>")
    # A sidebar's own small "main" block does not make it the page layout.
    assert find_headline(page("", body)) is None


@pytest.mark.parametrize(
    ("meta_line", "expected"),
    [
        (("<div class='teaser-small__metadata'><p class='byline__author'>VON MORITZ GATHMANN am "
         "21. April 2020</p></div>"), "2020-04-21"),
        # Not beside the headline: a list of teasers of other stories.
        ("<p>Lede.</p><div><div class='teaser-small__metadata'><p>am 21. April 2020</p></div></div>",
         None),
    ],
)
def test_teaser_classed_meta_line_beside_the_headline(meta_line: str, expected: str | None) -> None:
    body = f"<article><h1>Corona-Pandemie: Interview</h1>{meta_line}<p>{'Text. ' * 60}</p></article>"
    assert find_dates(page("", body), None, fetched_at=FETCHED).published == expected


def test_teaser_date_line_right_above_the_headline() -> None:
    body = ("<main><div class='row'><h3 class='bb-teaser-meta'>02.01.2022</h3>"
            f"<h1>Land zahlte Erlegungsprämie</h1><p>{'Text der Meldung. ' * 30}</p></div></main>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published == "2022-01-02"


def test_long_meta_line_in_the_story_opening_with_the_date() -> None:
    line = ("<div class='post-meta'>12.03.2018 von Redaktion · Keine Kommentare · Allgemein, "
            "Neuigkeiten, Veranstaltungen</div>")
    assert len("12.03.2018 von Redaktion · Keine Kommentare · Allgemein, Neuigkeiten, "
               "Veranstaltungen") > 80
    body = f"<article class='post'>{line}<h1>Sommerfest im Verein</h1><p>{'Text. ' * 40}</p></article>"
    assert find_dates(page("", body), None, fetched_at=FETCHED).published == "2018-03-12"


HOWTO = ('<script type="application/ld+json">{{"@context":"http://schema.org/","@type":"HowTo",'
         '"name":"Tischdecke","mainEntityOfPage":"{url}","datePublished":"2022-01-10T22:06:08:684Z"}}'
         '</script>')


@pytest.mark.parametrize(
    ("entity_url", "expected"),
    [("https://www.example.com/diy/20546/tischdecke", "2022-01-10"),
     ("https://www.example.com/diy/other-project", None)],
)
def test_main_entity_of_another_work_type(entity_url: str, expected: str | None) -> None:
    found = find_dates(story(HOWTO.format(url=entity_url)), "https://example.com/diy/20546/tischdecke/",
                       fetched_at=FETCHED)
    assert (found.published or "")[:10] == (expected or "")
    assert found.date_source == ("jsonld" if expected else None)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ("<span class='month'>Apr</span> <span class='day'>04</span><span class='year'>2013</span>",
         "2013-04-04"),
        (("<span class='entry-day'>4</span><span class='entry-month'>04</span>"
         "<span class='entry-year'>2013</span>"), "2013-04-04"),
        ("<span class='day'>04</span><span class='month'>Foo</span><span class='year'>2013</span>",
         None),
    ],
)
def test_date_printed_in_parts(parts: str, expected: str | None) -> None:
    body = (f"<article class='post'><h1>Haben sich Mozarts Eltern gesorgt?</h1>"
            f"<div class='date'>{parts}</div><p>{'Text. ' * 40}</p></article>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published == expected


UTC_JSONLD = ('<script type="application/ld+json">{"@type":"NewsArticle",'
              '"datePublished":"2023-11-09T02:11:03+00:00"}</script>')
LOCAL_TIME = ('<time datetime="2023-11-08T21:11:03-05:00" itemprop="datePublished">'
              'November 8, 2023</time>')


def test_utc_timestamp_yields_to_the_same_moment_in_the_page_offset() -> None:
    found = find_dates(story(UTC_JSONLD, LOCAL_TIME), None, fetched_at=FETCHED)
    assert found.published == "2023-11-08T21:11:03-05:00"
    # Another moment is not a twin: the JSON-LD stays.
    other = LOCAL_TIME.replace("21:11:03", "20:00:00")
    assert find_dates(story(UTC_JSONLD, other), None, fetched_at=FETCHED).published \
        == "2023-11-09T02:11:03+00:00"


def test_story_header_block_is_not_the_site_header() -> None:
    body = ("<div class='container'><div class='article-header'><h1 class='article-header__title'>"
            "Police investigating stabbing</h1><div class='article-header__meta'><time "
            "datetime='2023-11-08T21:11:03-05:00' class='article-header__pub-date'>November 8, 2023"
            f"</time></div></div><p>{'Story text. ' * 40}</p></div>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2023-11-08T21:11:03-05:00", "time")


@pytest.mark.parametrize(
    ("attrs", "published", "modified"),
    [
        ("data-published='2019-10-05T10:00:00+02:00'", "2019-10-05T10:00:00+02:00", None),
        ("data-date='2019-10-05'", "2019-10-05", None),
        ("data-modified='2019-10-07'", None, "2019-10-07"),
        ("data-id='20191005'", None, None),
    ],
)
def test_data_attribute_dates(attrs: str, published: str | None, modified: str | None) -> None:
    body = (f"<article><h1>Storm hits the coast</h1><div class='byline' {attrs}>By Jo Smith</div>"
            f"<p>{'Body text of the story. ' * 20}</p></article>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published, found.modified) == (published, modified)


NEXT_DATA = ('<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"article":'
             '{"publishedAt":"2019-10-05T10:00:00+02:00"},"more":[{"publishedAt":"2019-09-01"}]}}}'
             '</script>')


@pytest.mark.parametrize(
    ("head", "extra", "expected"),
    [
        ("", "", None),  # script JSON alone is not trusted
        ('<meta property="og:image" content="https://cdn.example.com/uploads/2019/10/storm.jpg">',
         "", ("2019-10-05T10:00:00+02:00", "meta")),
        ('<meta property="og:image" content="https://cdn.example.com/uploads/2019/09/storm.jpg">',
         "", None),
        ("", f"<p>{'Long story text. ' * 12} The storm of 5 October 2019 was the worst in years.</p>",
         ("2019-10-05T10:00:00+02:00", "dateline")),
    ],
)
def test_script_json_date_needs_confirmation(head: str, extra: str, expected: object) -> None:
    body = f"<div><h1>Storm hits the coast</h1>{extra}<p>{'Body text. ' * 40}</p></div>{NEXT_DATA}"
    found = find_dates(page(head, body), "https://example.com/storm", fetched_at=FETCHED)
    assert ((found.published, found.date_source) if found.published else None) == expected


@pytest.mark.parametrize(
    ("meta_day", "expected"),
    [("2020-02-12", ("2020-02-05", "dateline")), ("2020-02-05", ("2020-02-05", "meta"))],
)
def test_generic_date_meta_yields_to_the_printed_dateline(meta_day: str, expected: tuple[str, str]) -> None:
    head = f'<meta name="date" content="{meta_day}">'
    body = ("<div><div class='news-single-timedata'>05.02.2020 - Redaktion: Eberhard Fuhr</div>"
            f"<h1>Faire Lieferketten</h1><p>{'Text. ' * 40}</p></div>")
    found = find_dates(page(head, body), None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == expected


@pytest.mark.parametrize(
    "masthead",
    ['<div class="brand-line" data-date="2025-02-22">KazPost · Kazakhstan News</div>',
     '<div class="bar"><span class="post-date">Saturday, Feb 22, 2025</span></div>'],
)
def test_masthead_marks_above_a_headline_without_container(masthead: str) -> None:
    body = (f"{masthead}<div><h1>Kazakhstan: Chinese Kazakhs arrested</h1>"
            f"<p>{'Words of the story. ' * 40}</p></div>")
    for fetched in (None, "2025-02-22T08:00:00Z"):
        assert find_dates(page("", body), "https://kazpost.com/slug", fetched_at=fetched).published is None


def test_marked_date_above_a_headline_without_container_on_the_render_day() -> None:
    body = ("<div class='bar'><span class='post-date'>Feb 22, 2025</span></div><div><h1>Kazakhstan: "
            f"arrests</h1><p>{'Words of the story. ' * 40}</p></div>")
    on_render_day = find_dates(page("", body), None, fetched_at="2025-02-22T08:00:00Z")
    assert on_render_day.published is None
    later = find_dates(page("", body), None, fetched_at="2025-06-01T08:00:00Z")
    assert later.published == "2025-02-22"


# Patterns found on held-out pages (htmldate's benchmark pages), each as a small page.

@pytest.mark.parametrize(
    ("url", "expected"),
    [("https://blog.example.com/home/2017/7/12/montauk", ("2017-07-12", "url")),  # re-dated later
     ("https://blog.example.com/home/2019/6/30/montauk", ("2019-06-17T18:28:00+02:00", "jsonld")),
     # a few days between the URL's day and publication: a draft's wait, not a re-dating
     ("https://blog.example.com/home/2019/6/13/montauk", ("2019-06-17T18:28:00+02:00", "jsonld")),
     ("https://blog.example.com/home/montauk", ("2019-06-17T18:28:00+02:00", "jsonld"))],
)
def test_full_url_date_beats_a_later_machine_date(url: str, expected: tuple[str, str]) -> None:
    head = ('<script type="application/ld+json">{"@type":"BlogPosting",'
            '"datePublished":"2019-06-17T18:28:00+02:00"}</script>')
    found = find_dates(story(head), url, fetched_at=FETCHED)
    assert (found.published, found.date_source) == expected


@pytest.mark.parametrize(
    ("shown", "expected"),
    [("Publié le 29 juin 2019", "2019-06-29"),  # the text readers saw wins
     ("Publié le 29 juin", "2019-07-03T10:18:46+00:00"),  # no year: the attribute stands
     ("Mis à jour le 29 juin 2019", "2019-07-03T10:18:46+00:00")],  # an update label
)
def test_time_text_over_its_datetime_attribute(shown: str, expected: str) -> None:
    line = f'<div class="meta"><time datetime="2019-07-03T10:18:46Z">{shown}</time></div>'
    assert find_dates(story("", line), None, fetched_at=FETCHED).published == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Der Tunnel wird vom 24. April bis 2. Oktober 2017 gesperrt.", []),
     ("Festival 12-15 March 2019 in Riga", []),
     ("Open 2. Januar 2017 – 5. Februar 2017", []),
     ("Stand: 2. Oktober 2017", ["2017-10-02"])],
)
def test_ends_of_a_period_are_not_publication_dates(text: str, expected: list[str]) -> None:
    assert [s.iso for s in written_dates(text)] == expected


def test_period_below_the_headline_gives_no_dateline() -> None:
    body = ("<h1>Spätsommer in Österreich</h1><h2>Der Tunnel wird vom 24. April bis 2. Oktober "
            "2017 gesperrt.</h2><p>" + "Text. " * 40 + "</p>")
    assert find_dates(page("", body), None, fetched_at=FETCHED).published is None


@pytest.mark.parametrize(("cls", "expected"), [("social-share", "2019-01-23"), ("sidebar", None)])
def test_date_in_a_share_bar_beside_the_headline(cls: str, expected: str | None) -> None:
    body = ('<div class="detail-content"><h2>Steve Forbes: Trump is indeed a billionaire.</h2>'
            f'<div class="{cls}"><h5>23.01.2019</h5><div>By Urs Gehriger</div></div>'
            f"<p>{'Words of the interview. ' * 30}</p></div>")
    head = '<meta property="og:title" content="Steve Forbes: Trump is indeed a billionaire.">'
    assert find_dates(page(head, body), None, fetched_at=FETCHED).published == expected


@pytest.mark.parametrize(
    ("dateline", "modified", "expected"),
    [("January 19, 2020 / 12:25 PM / Updated 8 hours ago", "2020-01-20T09:49:32Z", "2020-01-19"),
     ("January 19, 2020 / 12:25 PM", "2020-01-20T09:49:32Z", "2020-01-20"),  # no update shown
     ("January 19, 2020 / 12:25 PM / Updated 8 hours ago", "2020-01-21T08:00:00Z", "2020-01-20")],
)
def test_published_equal_to_modified_yields_to_a_dateline_with_update(
        dateline: str, modified: str, expected: str) -> None:
    head = ('<meta property="article:published_time" content="2020-01-20T09:49:32Z">'
            f'<meta property="article:modified_time" content="{modified}">')
    body = (f"<div><div class='head'><p>Entertainment News</p><div>{dateline}</div>"
            f"<h1>Parasite scores upset</h1></div><p>{'Words of the story. ' * 30}</p></div>")
    found = find_dates(page(head, body), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == expected


DEK = "The rocky island, once stripped of its flora and fauna by invasive species, " \
      "makes an astonishingly quick comeback. What is the secret to its recovery? "


@pytest.mark.parametrize(
    ("dek", "expected"),
    [(f"{DEK}<span class='date'>Monday, 6 January 2020</span>", "2020-01-06"),
     # the same day in running text is not a dateline: the JSON-LD day stands
     (f"{DEK}It was first seen there on Monday, 6 January 2020.", "2020-01-03")],
)
def test_date_in_its_own_element_closing_a_long_dek(dek: str, expected: str) -> None:
    # JSON-LD and the generic date meta disagree; the date printed for readers settles it,
    # even when its span shares a block with a long standfirst.
    head = ('<script type="application/ld+json">{"@type":"Article","headline":"H",'
            '"datePublished":"2020-01-03T09:48:24Z"}</script>'
            '<meta name="date" content="2020-01-06T09:22:36Z">')
    body = f"<article><h1>Goats ruled this island</h1><h2>{dek}</h2>{FILLER}</article>"
    found = find_dates(page(head, body), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == expected


@pytest.mark.parametrize(
    ("classes", "expected"),
    [("post hentry commented status-published", "2016-10-13"),  # a state of the post
     ("comment", None)],  # a reader's comment: its date is not the story's
)
def test_commented_is_a_post_state_not_a_comment_block(classes: str, expected: str | None) -> None:
    body = (f"<div class='post-wrapper'><article class='{classes}'><header>"
            "<h1 class='headline entry-title'>The Nationals are stuck</h1>"
            "<div class='meta'><time class='meta__time' datetime='2016-10-13T12:34:00-04:00'>"
            f"10/13/16 12:34pm</time></div></header><p>{'Baseball words. ' * 40}</p></article></div>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == (expected or "")


@pytest.mark.parametrize(
    ("fields", "marked_source"),
    [(["December 19, 2016 - 12:29pm"], True),
     # marked dates naming several days below a container-less headline are a listing
     # (htmldate's guess, confirmed by a day written on the page, may still answer)
     (["December 19, 2016", "December 12, 2016"], False)],
)
def test_marked_date_below_a_headline_without_container(fields: list[str], marked_source: bool) -> None:
    # a CMS field after a long body, beyond the lines read next to the headline
    marked = "".join(f"<div><span class='field field-name-field-published-date'>{f}</span></div>"
                     for f in fields)
    paragraphs = "".join(f"<p>Deal number {i}, with words.</p>" for i in range(30))
    body = (f"<div class='page-title'><h1>Holiday deals</h1></div><div class='region'>"
            f"{FILLER}{paragraphs}{marked}</div>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.date_source == "time") is marked_source
    if marked_source:
        assert found.published == "2016-12-19T12:29:00"


@pytest.mark.parametrize(("header_class", "expected"),
                         [("article-header", "2016-12-16"), ("intro", None)])
def test_author_card_more_from_link_in_the_story_header(header_class: str, expected: str | None) -> None:
    # "More from Josh" in the byline's author card is not a heading over other stories.
    body = (f"<article><header class='{header_class}'><h1>Clinton on the hack</h1>"
            "<div class='byline'><div>By Josh Haskell</div><div class='card'><div>Close</div>"
            "<div><a href='/author/josh'>More from Josh</a></div></div></div>"
            "<div class='article-meta'><span>Dec 16, 2016, 12:37 PM ET</span></div></header>"
            f"{FILLER}</article>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == (expected or "")


@pytest.mark.parametrize("text", ["12/20/16", "see 3/4/16 at 5:30 pm", "05/06/16 10:00", "1/2/3"])
def test_slashed_two_digit_years_need_a_time_and_a_sure_month(text: str) -> None:
    assert find_text_dates(text) == []


@pytest.mark.parametrize(("label", "expected"), [("Updated", None), ("Published", "2016-12-12")])
def test_an_updated_time_does_not_confirm_htmldates_guess(label: str, expected: str | None) -> None:
    # No machine date, no headline block: htmldate reads the <time>, and the page confirms the
    # day only when the line does not call it an update.
    body = (f"<div class='header'><p class='stamp'>{label} <time datetime='2016-12-12T09:22:26+00:00'>"
            f"December 12, 2016 at 9:22am EST</time></p></div>{FILLER}")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published[:10] if found.published else None) == expected


# The year last in a URL ("/meldungen/29-10-2021", "_vom_22.04.2020_"): the day on six dev sites (press
# releases, French and Italian news), one US slug month first ("01-23-2020"). A slug both readings
# fit ("02-01-2022": 2 January or 1 February) names no day.
@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.de/media-news/meldungen/29-10-2021", ("2021-10-29", "url")),
    ("https://example.com/artikel/bericht_vom_22.04.2020_worauf_wartet", ("2020-04-22", "url")),
    ("https://example.com/blog/blogposting-01-23-2020/", ("2020-01-23", "url")),
    ("https://example.de/presse/detail/~02-01-2022-land-zahlte", (None, None)),
])
def test_a_url_date_with_the_year_last_counts_when_only_one_reading_is_a_day(
        url: str, expected: tuple[str | None, str | None]) -> None:
    body = "<h1>Zehn Jahre Einbruchschutz</h1><p>" + "Text der Meldung. " * 30 + "</p>"
    found = find_dates(page("", body), url, fetched_at="2024-11-22T10:00:00Z")
    assert ((found.published or "")[:10] or None, found.date_source) == expected


# -- conventions without a dev page behind them (each case fails without its rule) ----------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Wed, 03/04/2020 - 10:00", "2020-03-04T10:00:00"),  # Drupal's default: the weekday picks March 4
    ("Friday, 03/04/2020", "2020-04-03"),  # 3 April 2020 was a Friday
    ("Submitted on 03/04/2020 - 10:00", None),  # no weekday: either reading, so neither
    ("Monday, 03/04/2020", None),  # neither reading is a Monday
])
def test_a_weekday_settles_a_slashed_date_of_two_readings(text: str, expected: str | None) -> None:
    found = find_text_dates(text)
    assert (found[0].iso if found else None) == expected


def test_rdfa_dublin_core_date_marks_the_published_date() -> None:
    # Drupal's RDFa output: the machine value in @content, the text in a US format.
    body = ("<article><h1>Council passes budget</h1><div class='submitted'>"
            "<span property='dc:date dc:created' content='2020-03-04T16:52:59+00:00' datatype='xsd:dateTime'>"
            "03/04/2020 - 16:52</span></div>" f"{FILLER}</article>")
    found = find_dates(page("", body), None, fetched_at=FETCHED)
    assert (found.published, found.date_source) == ("2020-03-04T16:52:59+00:00", "time")


@pytest.mark.parametrize(("line", "expected"), [
    ("Av Anna Svensson, 4 augusti 2020", "2020-08-04"),  # Swedish
    ("Oleh Budi Santoso - Rabu, 4 Maret 2020 16:52 WIB", "2020-03-04T16:52:00"),  # Indonesian
    ("الجمعة 8 فيفري 2019", "2019-02-08"),  # Arabic, Maghreb month name
    ("Publiceret 4. marts 2020", "2020-03-04"),  # Danish
    ("Publisert 4. desember 2020", "2020-12-04"),  # Norwegian
    ("نشر في ١٥ مارس ٢٠٢٠ - ١٦:٥٢", "2020-03-15T16:52:00"),  # Arabic-Indic digits
    ("입력 2020. 3. 4. 오후 4:52", "2020-03-04T16:52:00"),  # Korean: spaced, "오후" is pm
    ("ΤΕΤΑΡΤΗ 4 ΜΑΡΤΙΟΥ 2020", "2020-03-04"),  # Greek capitals, without their accents
    ("Δημοσίευση: 4 Μαρτίου 2020, 16:52", "2020-03-04T16:52:00"),  # Greek genitive
    ("2020. márc. 4. 16:52", "2020-03-04T16:52:00"),  # Hungarian: year, month, day
    ("2020 m. kovo 4 d.", "2020-03-04"),  # Lithuanian
    ("4. maaliskuuta 2020", "2020-03-04"),  # Finnish
    ("4. ožujka 2020.", "2020-03-04"),  # Croatian
    ("Objavljeno 4. marta 2020.", "2020-03-04"),  # Serbian / Bosnian, Latin
    ("4. марта 2020. у 16:52", "2020-03-04"),  # Serbian, Cyrillic
    ("Публикувано: 4 април 2020", "2020-04-04"),  # Bulgarian
    ("4. apríla 2020", "2020-04-04"),  # Slovak
    ("4 d'abril de 2020", "2020-04-04"),  # Catalan, "d'" before a vowel
    ("4 de marzo del 2020", "2020-03-04"),  # Spanish, "del" before the year
    ("Machi 4, 2020", "2020-03-04"),  # Swahili
    ("Marso 4, 2020", "2020-03-04"),  # Tagalog
    ("४ मार्च २०२०", "2020-03-04"),  # Hindi, Devanagari digits
    ("अपडेटेड: 4 मार्च 2020", None),  # ... an update line is still no publication date,
    ("Actualizat: 4 martie 2020, 16:52", None),  # in Romanian,
    ("Güncelleme: 04.03.2020 16:52", None),  # Turkish,
    ("Cập nhật: 04.03.2020 16:52", None),  # Vietnamese
    ("৪ মার্চ ২০২০", "2020-03-04"),  # Bengali, Bengali digits
    ("Thứ tư, 4/3/2020, 16:52 (GMT+7)", "2020-03-04T16:52:00"),  # Vietnamese: the weekday settles D/M
    ("4 listopada 2020", "2020-11-04"),  # Polish November (Croatian October: not read)
])
def test_more_month_names(line: str, expected: str) -> None:
    body = f"<h1>A headline here</h1><div>{line}</div><p>{'Text. ' * 40}</p>"
    found = find_dates(page("", body), None, fetched_at=FETCHED).published
    assert (found[:len(expected)] if found and expected else found) == expected


@pytest.mark.parametrize(("lang", "expected"), [
    ("", None),  # "3/4/20" is 3 April or March 4: htmldate's reading of it is no evidence
    ("en-US", None),  # htmldate reads it day first, a US page writes the month first
    ("en-GB", "2020-04-03"),  # a British page writes the day first, as htmldate read it
])
def test_htmldates_reading_of_a_slashed_date_needs_the_pages_language(lang: str, expected: str | None) -> None:
    html = (f"<html lang='{lang}'><head><title>Council passes budget</title></head><body><article>"
            "<h1>Council passes budget</h1><p class='meta'>By Jane Doe on 3/4/20</p>"
            f"{FILLER}</article></body></html>")
    found = find_dates(lxml_html.document_fromstring(html), None, fetched_at=FETCHED)
    assert ((found.published or "")[:10] or None) == expected


@pytest.mark.parametrize("text", ["٩ رجب ١٤٤١ هـ", "۱۴ اسفند ۱۳۹۸"])
def test_hijri_and_solar_hijri_dates_are_no_gregorian_days(text: str) -> None:
    assert find_text_dates(text) == []


# A fresh fetch (an hourly crawl) sees the story's date line on the render day. In the headline's
# own block it is the story's ("<div><div>05.02.2020 - Redaktion …</div><h1>…"), as in a story
# block; a bar of its own above the headline is still read as the site's clock (test above).
@pytest.mark.parametrize("fetched", ["2020-02-05T09:00:00Z", "2020-02-06T08:00:00Z", "2024-01-01T00:00:00Z"])
def test_a_date_line_in_the_headlines_block_counts_on_the_fetch_day(fetched: str) -> None:
    body = ("<div><div class='timedata'>05.02.2020 - Redaktion: Eberhard Fuhr</div>"
            f"<h1>Faire Lieferketten</h1><p>{'Text. ' * 40}</p></div>")
    found = find_dates(page("", body), None, fetched_at=fetched)
    assert (found.published, found.date_source) == ("2020-02-05", "dateline")


@pytest.mark.parametrize(("line", "expected"), [
    ("04.02.2022 | 13:10 Uhr | Uta Helkenberg", "2022-02-04T13:10:00"),  # a meta line: date, time, author
    ("04.02.2022 | 13:10 Uhr", None),  # a bare clock on the fetch day
])
def test_a_meta_line_right_above_the_headline_counts_on_the_fetch_day(line: str, expected: str | None) -> None:
    body = (f"<div class='top'><p>Aktuelle Meldungen</p><p>{line}</p></div>"
            f"<div><h1>Stellungnahme zum Pilotjahr</h1><p>{'Text der Meldung. ' * 30}</p></div>")
    assert find_dates(page("", body), None, fetched_at="2022-02-04T20:00:00Z").published == expected


def test_a_day_the_story_writes_under_the_headline_confirms_script_data_on_the_fetch_day() -> None:
    # No date by the headline; the story's last line writes the day the page's script data names.
    script = ('<script id="__NEXT_DATA__" type="application/json">'
              '{"props":{"article":{"publishedAt":"2015-12-14T10:00:00Z"}}}</script>')
    body = ("<h1>Eine Arduino-Wand für den Roboter</h1>" + f"<p>{'Ein langer Absatz über Roboter. ' * 12}</p>" * 4
            + "<p>Heiner, 14.12.2015</p>" + script)
    found = find_dates(page("", body), None, fetched_at="2015-12-15T06:00:00Z")
    assert (found.published or "")[:10] == "2015-12-14"


def test_a_date_meta_the_dateline_shows_settles_a_disagreement_on_the_fetch_day() -> None:
    # JSON-LD names the day before (a draft's date); the "date" meta and the dateline name the
    # day the page was fetched on. The printed day wins, however fresh the fetch.
    head = ('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":'
            '"2023-11-06T18:19:00+01:00"}</script><meta name="date" content="2023-11-07T07:30:00+01:00">')
    body = f"<article><h1>Waffen aus Deutschland</h1><p>07.11.2023, 07:30 Uhr</p>{FILLER}</article>"
    for fetched in ("2023-11-07T12:00:00Z", "2024-05-01T12:00:00Z"):
        assert find_dates(page(head, body), None, fetched_at=fetched).published == "2023-11-07T07:30:00+01:00"


@pytest.mark.parametrize("line", [
    "Updated: 04.03.2020 16:52",
    "This page was last modified on 4 March 2020, at 19:23.",
    "page revision: 8, last edited: 4 Mar 2020 15:15",
])
def test_a_day_written_only_after_an_update_label_is_no_publication_date(line: str) -> None:
    # htmldate takes such a day; the edit's day is not the story's, so with nothing else the
    # page stays undated rather than misdated.
    body = f"<h1>A headline here</h1><p>{'Text. ' * 40}</p><div class='footer'>{line}</div>"
    assert find_dates(page("", body), None, fetched_at=FETCHED).published is None


def test_a_day_also_written_as_the_publication_date_stays_when_updated_the_same_day() -> None:
    body = ("<h1>A headline here</h1><div>Published 4 March 2020 09:10 | Updated: 4 March 2020 16:52</div>"
            f"<p>{'Text. ' * 40}</p>")
    assert (find_dates(page("", body), None, fetched_at=FETCHED).published or "")[:10] == "2020-03-04"


@pytest.mark.parametrize(("text", "expected"), [
    ("Mar 4, 2020", "2020-03-04"), ("March 4, 2020", "2020-03-04"), ("4 marts 2020", "2020-03-04"),
    ("4 Sept. 2020", "2020-09-04"), ("4 sep 2020", "2020-09-04"), ("4 марта 2020", "2020-03-04"),
    ("4 мар 2020", "2020-03-04"), ("4 maj 2020", "2020-05-04"), ("4 maja 2020", "2020-05-04"),
    ("Wed, 03/04/2020", "2020-03-04"), ("Thứ tư, 4/3/2020", "2020-03-04"),
])
def test_month_and_weekday_names_sharing_a_beginning_are_each_read(text: str, expected: str) -> None:
    # the names are matched as one trie: a short name must not cut a longer one short, nor the reverse
    assert [s.iso[:10] for s in find_text_dates(text)] == [expected]
