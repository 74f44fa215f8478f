"""The scored date candidates: local formats, weak forms rescued by the fitted model, refusals kept."""

from __future__ import annotations

import json

import numpy as np
import pytest
from lxml import html as lxml_html

from scraper.extractor.article import parse_html
from scraper.extractor.dates.choose import date_candidates, find_dates
from scraper.extractor.dates.score import FEATURES, WEIGHTS_FILE, load_model, probability
from scraper.research import date_model

FETCHED = "2025-02-22T10:00:00+00:00"
STORY = "<p>" + "Words of the story go on here. " * 30 + "</p>"


def page(body: str, head: str = "") -> lxml_html.HtmlElement:
    return parse_html(f"<html><head><title>T</title>{head}</head><body>{body}</body></html>")


def article(info: str, headline: str = "Quake hits the coast") -> lxml_html.HtmlElement:
    return page(f"<article><h1>{headline}</h1><div class='info'>{info}</div>{STORY}</article>")


@pytest.mark.parametrize(("info", "expected"), [
    ("2021 жылғы 12 наурыз 14:05", "2021-03-12"),   # Kazakh: year first
    ("2020年3月4日 16:52", "2020-03-04"),            # Chinese / Japanese
    ("입력 2020년 3월 4일 16:52", "2020-03-04"),     # Korean
    ("4 martie 2020", "2020-03-04"),                 # Romanian
    ("12 марта 2021 г., 14:05", "2021-03-12"),       # Russian
    ("By Kim Lee 2020-03-04 16:52:59", "2020-03-04"),  # a bare stamp beside the byline
])
def test_local_date_formats_beside_the_headline(info: str, expected: str) -> None:
    found = find_dates(article(info), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == expected
    assert found.date_source == "dateline"


@pytest.mark.parametrize("info", [
    "<span class='ago' title='2020-03-04 16:52:59'>3 hours ago</span>",          # "time ago" label
    "<span property='dc:date' content='2020-03-04T16:52:59+09:00'></span>",      # RDFa dc:date
])
def test_dates_held_in_attributes_are_scored_candidates(info: str) -> None:
    tree = article(info)
    assert [c.day.isoformat() for c in date_candidates(tree, None, fetched_at=FETCHED)] == ["2020-03-04"]
    found = find_dates(article(info), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == "2020-03-04"


def test_a_day_only_a_related_list_writes_is_refused_however_many_signals_name_it() -> None:
    body = (f"<article><h1>Water prices rise</h1>{STORY}</article>"
            "<aside class='related-posts'><span title='2021-03-12'>12.03.2021</span>"
            "<time datetime='2021-03-12'>12 Mar 2021</time></aside>")
    assert date_candidates(page(body), None, fetched_at=FETCHED) == []
    assert find_dates(page(body), None, fetched_at=FETCHED).published is None


def test_the_masthead_day_is_never_rescued() -> None:
    body = (f"<div class='masthead'>KazPost</div><p>Saturday, Feb 22, 2025</p>"
            f"<article><h1>Parliament approves media law</h1>{STORY}</article>")
    assert find_dates(page(body), None, fetched_at=FETCHED).published is None


def test_the_weights_file_fits_the_features_and_says_how_to_refit() -> None:
    model = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert tuple(model["features"]) == FEATURES == tuple(load_model()["features"])
    assert len(model["weights"]) == len(FEATURES)
    assert 0.0 < model["threshold"] < 1.0
    assert model["refit"].startswith("python -m scraper.research.date_model fit")


def test_logistic_fit_learns_which_feature_speaks_for_the_truth() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(0, 2, size=(400, 2)).astype(float)
    y = x[:, 0].copy()  # the first feature decides; the second is noise
    flipped = rng.random(400) < 0.1  # some label noise
    y[flipped] = 1 - y[flipped]
    weights, bias = date_model.fit_logistic(x, y, l2=1.0)
    assert weights[0] > 2.0 and abs(weights[1]) < 1.0 and bias < 0


def test_folds_keep_every_site_in_one_fold() -> None:
    sites = [f"site{i}.example" for i in range(50)]
    for site in sites:
        assert len({date_model._fold(site) for _ in range(3)}) == 1
    assert len({date_model._fold(site) for site in sites}) == date_model.FOLDS
    assert date_model._site("https://www.Example.com/a") == date_model._site("http://example.com/b")


def test_the_threshold_weighs_a_wrong_date_twice_a_missing_one() -> None:
    # Above 0.5: 10 right; between 0.3 and 0.5: 2 right, 3 wrong (not worth it at cost 2).
    results = [(0.9, True)] * 10 + [(0.4, True)] * 2 + [(0.4, False)] * 3
    assert date_model.pick_threshold(results, cost=2.0) > 0.4
    assert date_model.pick_threshold(results, cost=0.5) <= 0.4


# The story's own header block, classed like a site header (a WordPress theme's "page-header"; in
# dates-extra the rule dates two sites, seglerblog and 5min.at, and misdates none).
WP_HEADER = ("<div class='wrapper post type-post hentry'><header class='header'><div class='page-header header-small'>"
             "<h1 class='entry-title'>Keep our waters clean<h4 class='author'>Published by <a class='vcard author'>"
             "SailBlog</a> on <time class='date updated published' datetime='2020-02-23T10:07:02+01:00'>"
             "23 February 2020</time></h4></h1></div></header><div class='main'><article>{story}</article></div></div>")


def test_a_day_in_the_block_holding_the_headline_is_not_set_aside() -> None:
    found = find_dates(page(WP_HEADER.format(story=STORY)), None, fetched_at=FETCHED)
    assert (found.published or "")[:10] == "2020-02-23"


def test_a_header_block_without_the_headline_is_still_set_aside() -> None:
    # The same header block holding another story's teaser above this story: its day is not this story's.
    body = ("<header class='header'><div class='page-header header-small'><p>Regatta results, "
            "<time class='date updated published' datetime='2020-02-23T10:07:02+01:00'>23 February 2020</time></p>"
            f"</div></header><div class='main'><article><h1>Keep our waters clean</h1>{STORY}</article></div>")
    assert find_dates(page(body), None, fetched_at=FETCHED).published is None


# The story's day, also written in page furniture (a sidebar's post info, a share bar): such a day
# was refused outright; weighing it instead dates two dev pages of two sites (falstaff, katholisch)
# and misdates none (site-grouped CV on 1,012 pages: accuracy 0.905 -> 0.908, precision 0.954).
SIDEBAR = ("<div class='sidebar'><div class='sidebar__item'><time datetime='2020-03-04'>4. März 2020</time></div>"
           "<div class='sidebar__item'>Kategorie: Wein</div></div>")


def test_a_day_also_written_in_page_furniture_is_weighed_not_refused() -> None:
    story = f"<article><h1>Quake hits the coast</h1>{STORY * 25}{SIDEBAR}</article>"  # far below the headline
    candidates = date_candidates(page(story), None, fetched_at=FETCHED)
    assert [c.signals.get("furniture") for c in candidates] == [1.0]
    assert (find_dates(page(story), None, fetched_at=FETCHED).published or "")[:10] == "2020-03-04"


@pytest.mark.parametrize("elsewhere", [
    "<div class='most-read'><p>04.03.2020 Other story</p><p>04.03.2020 Another</p></div>",   # other stories
    "<div class='sidebar'><ol class='commentlist'><li>Anna, 04.03.2020: a fine piece.</li></ol></div>",  # comments
])
def test_a_day_only_lists_of_other_stories_or_comments_write_stays_refused(elsewhere: str) -> None:
    body = f"<article><h1>Quake hits the coast</h1>{STORY}</article>{elsewhere}"
    assert date_candidates(page(body), None, fetched_at=FETCHED) == []
    assert find_dates(page(body), None, fetched_at=FETCHED).published is None


# A post's own CMS classes name its topics ("category-popular"): they do not make the story a list of
# popular stories. Dates womencantalksports in dates-extra and finds the headline's block on five more
# sites (piratenpartei.at, thepostpartumparty, surgezirc, fifplay, Res Publica Nowa); misdates none.
def test_a_posts_category_classes_do_not_make_it_a_list_of_other_stories() -> None:
    body = ("<article class='post-1113 post type-post status-publish hentry category-popular tag-trending'>"
            "<h1 class='entry-title'>Keep our waters clean</h1>"
            "<div class='entry-meta'><time datetime='2020-02-23'>23 February 2020</time></div>"
            f"{STORY}</article>")
    assert (find_dates(page(body), None, fetched_at=FETCHED).published or "")[:10] == "2020-02-23"


def test_a_popular_stories_block_without_post_classes_stays_refused() -> None:
    body = (f"<article><h1>Keep our waters clean</h1>{STORY}</article>"
            "<div class='category-popular'><p>23 February 2020 Other story</p><p>23 February 2020 Another</p></div>")
    assert find_dates(page(body), None, fetched_at=FETCHED).published is None


# The story's own header, classed like a site's page header: its subtitle part ("page-header__subtitle")
# is the header's, not the site's. Dates handball.ch in dates-extra; the other newly read lines carry
# the truth's day (mtb-news) or no day.
STORY_HEADER = ("<div class='c-page-header'><h1 class='c-page-header__title'>Keep our waters clean</h1>"
                "<p class='c-page-header__subtitle'>SailBlog • {info}</p></div>")


def test_a_day_in_the_story_headers_own_subtitle_is_read() -> None:
    body = STORY_HEADER.format(info="02.02.2022") + f"<div class='main'>{STORY}</div>"
    assert (find_dates(page(body), None, fetched_at=FETCHED).published or "")[:10] == "2022-02-02"


def test_a_page_header_subtitle_away_from_the_headline_stays_set_aside() -> None:
    body = ("<div class='c-page-header'><p class='c-page-header__subtitle'>SailBlog • 02.02.2022</p></div>"
            f"<div class='main'><article><h1>Keep our waters clean</h1>{STORY}</article></div>")
    assert find_dates(page(body), None, fetched_at=FETCHED).published is None


# Other <h1>s before the story's ("Quicklinks", a screen-reader welcome line): the <h1> the page's
# title repeats is the story's. Finds the right headline on 14 dev pages of 14 sites (thw.de, bfs.de,
# bundespraesident.de …) and dates auswaertiges-amt.de by the line under it; no date lost.
def test_the_h1_the_title_repeats_is_the_headline_the_dateline_hangs_from() -> None:
    links = "".join(f"<li><a href='/s{i}'>Service link number {i}</a></li>" for i in range(30))
    body = (f"<div class='box'><h1>Quicklinks</h1><ul>{links}</ul></div>"
            "<main><header class='c-heading'><h1>Italy: travel and safety advice</h1>"
            f"<span class='heading__meta'>As of 12.11.2021</span></header>{STORY}</main>")
    tree = page(body, head="<meta property='og:title' content='Italy: travel and safety advice'>")
    assert (find_dates(tree, None, fetched_at=FETCHED).published or "")[:10] == "2021-11-12"


def test_a_pages_scores_do_not_depend_on_when_it_is_read() -> None:
    # The model is fitted on pages saved years after they appeared and runs in a crawl that
    # reads them the same day: a feature measured from the fetch day would score a live page
    # unlike any page it was fitted on (and a re-extraction next year unlike this one).
    tree = article("Posted on 4 March 2020", headline="Council passes budget")
    story = tree.find(".//article")
    story.append(lxml_html.fragment_fromstring("<p>The plan was first drafted on 12 May 2017.</p>"))
    model = load_model()
    scores = [
        {c.day: round(probability(c, model), 6) for c in date_candidates(tree, None, fetched_at=when)}
        for when in ("2020-03-10T08:00:00+00:00", "2031-07-01T08:00:00+00:00")
    ]
    assert len(scores[0]) == 2 and scores[0] == scores[1]


def test_a_day_after_the_fetch_is_no_candidate() -> None:
    # "Tasting on 29.02.2020" read on 12 February: an event ahead, not the publication day.
    tree = article("11.02.2020", headline="Rioja wines in Berlin")
    tree.find(".//article").append(lxml_html.fragment_fromstring("<p>Next tasting on 29.02.2020 at 19:00.</p>"))
    days = {c.day.isoformat() for c in date_candidates(tree, None, fetched_at="2020-02-12T06:00:00+00:00")}
    assert "2020-02-29" not in days
    assert "2020-02-29" in {c.day.isoformat() for c in date_candidates(tree, None, fetched_at=FETCHED)}
