"""Authors (scraper.extractor.byline): one test per byline pattern, on strings and on small pages."""

from __future__ import annotations

import json

import pytest

from scraper.extractor.article import parse_html
from scraper.extractor.byline import clean_authors, find_authors
from scraper.extractor.byline_names import fuller_name
from scraper.extractor.fields import site_names
from scraper.extractor.structured import jsonld_objects, meta_values
from scraper.extractor.text import is_furniture

URL = "https://news.example.com/2024/05/story"
STORY = (
    "<p>"
    + "A paragraph of the story that is long enough to be running text. " * 3
    + "</p>"
)


def authors(body: str, head: str = "", url: str = URL) -> list[str]:
    """find_authors on a page, called the way extract() calls it."""
    html = f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    tree = parse_html(html)
    metas, objects = meta_values(tree), jsonld_objects(tree)
    return find_authors(
        tree, metas, objects, site_names(metas, objects, url, declared=False)
    )


def ld(obj: dict[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def meta(name: str, content: str) -> str:
    return f'<meta name="{name}" content="{content}">'


# -- cleaning byline strings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Autor/in: Korinna Hennig", ["Korinna Hennig"]),  # gender-neutral label
        ("Text: Jane Doe", ["Jane Doe"]),
        ("Eine Kolumne von Nils Pickert", ["Nils Pickert"]),
        (
            "- Redaktion: Eberhard Fuhr (Pressesprecher des EJW)",
            ["Eberhard Fuhr"],
        ),  # label, role in parens
        ("Jane Doe (AFP)", ["Jane Doe"]),  # agency in parentheses
        ("Jane Doe / dpa", ["Jane Doe"]),  # agency beside a person
        ("dpa", ["dpa"]),  # an agency alone is the credit
        (
            "FOCUS-Online-Experte Robin Tschöpe",
            ["Robin Tschöpe"],
        ),  # compound role prefix
        ("Von Anna Müller, freie Journalistin", ["Anna Müller"]),
        (
            "Richard David Precht im Gespräch mit Karin Fischer",
            ["Richard David Precht", "Karin Fischer"],
        ),
        (
            "Jane Doe, a reporter at the Daily Example",
            ["Jane Doe"],
        ),  # description after the name
        ("Mat\u00adthi\u00adas Lauerer", ["Matthias Lauerer"]),  # soft hyphens
        ("Jan", ["Jan"]),  # a month's abbreviation is also a name
        ("By Jane Doe @janedoe", ["Jane Doe"]),  # a social handle beside the name
        ("Jane Doe jane.doe@example.org", ["Jane Doe"]),  # an e-mail address beside the name
        ("Story by Jane Doe. Photos by John Roe", ["Jane Doe"]),  # a photo credit after a full stop
        ("By John F. Kennedy", ["John F. Kennedy"]),  # an initial's full stop does not split
        ("Jane Doe Senior Reporter", ["Jane Doe"]),  # a role with no separator (a role span)
        ("By Jane Doe, CNN", ["Jane Doe"]),  # the outlet's code beside a person
        ("By JANE DOE and JOHN ROE", ["JANE DOE", "JOHN ROE"]),  # capitals are names when they are two words
        ("Jane Doe for The Guardian", ["Jane Doe"]),  # the outlet after "for"
        ("By Jane Doe and John Roe in Kyiv", ["Jane Doe", "John Roe"]),  # a signed line: the place goes
        ("Von Anna Müller aus Berlin", ["Anna Müller"]),
        ("Авторы: Айгүл Серікқызы", ["Айгүл Серікқызы"]),  # the KazPost family: Russian labels
        ("Подготовила Анна Смирнова", ["Анна Смирнова"]),
    ],
)
def test_clean_authors_keeps_the_names(raw: str, names: list[str]) -> None:
    assert clean_authors(raw) == names


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("Author: Gàbor Muniér, Datum: 03.Mär.19", ["Gàbor Muniér"]),
        (
            "Lisa Petrich Mi, 12. Oktober 2022",
            ["Lisa Petrich"],
        ),  # weekday before the date
        (
            "CBS News February 21, 2020 / 5:30 PM",
            ["CBS News"],
        ),  # month name before the date
        ("Itamar Turner-Trauring Last updated 23 Mar 2022", ["Itamar Turner-Trauring"]),
        ("06.11.2023 13:30 von Olga", ["Olga"]),  # date and time before "von"
        ("11.12.2019 - Amelie Loevenich", ["Amelie Loevenich"]),
        ("17 April 2012 • 2:54pm", []),  # a date is not a name
    ],
)
def test_clean_authors_strips_dates(raw: str, names: list[str]) -> None:
    assert clean_authors(raw) == names


@pytest.mark.parametrize(
    "raw",
    [
        "Foto: Max Muster",
        "Photo by Jane Doe",
        "© Kathrin Führes",
        "Bildrechte: Jane Doe",
        "Фото из Инстаграма Лукаша Подольски",
        "Photographed by Sharokh Mirzai.",
        "Illustrated by Jane Doe",
    ],
)
def test_photo_credits_are_not_authors(raw: str) -> None:
    assert clean_authors(raw) == []


@pytest.mark.parametrize(
    "raw",
    [
        "Bundesministerium für Wirtschaft und Klimaschutz",  # an organisation's name is a phrase
        "Iberische Weine in Berlin",
        "Multimedia Redaktion Kategorie: Diakonie, Pflege",  # a label row
        "wordpressadmin",  # the CMS account
        "Article by",
        "Full Bio",
        "Publicado",
    ],
)
def test_phrases_labels_and_accounts_are_not_names(raw: str) -> None:
    assert clean_authors(raw) == []


# -- JSON-LD --------------------------------------------------------------------------------------


def test_jsonld_person_and_organization_list_keeps_the_person() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "author": [
                {"@type": "Person", "name": "Jane Doe"},
                {"@type": "Organization", "name": "Example News Agency"},
            ],
        }
    )
    assert authors(STORY, head) == ["Jane Doe"]


def test_jsonld_forum_post_author() -> None:
    head = ld(
        {
            "@type": "DiscussionForumPosting",
            "author": {"@type": "Person", "name": "Pepemaus"},
        }
    )
    assert authors(STORY, head) == ["Pepemaus"]


def test_jsonld_one_of_two_bylined_authors_gives_way_to_the_byline() -> None:
    head = ld({"@type": "Article", "author": {"@type": "Person", "name": "Jane Doe"}})
    body = (
        '<h1>Headline of the story</h1><div class="byline">By Jane Doe and John Roe</div>'
        + STORY
    )
    assert authors(body, head) == ["Jane Doe", "John Roe"]


def test_jsonld_user_name_becomes_the_bylined_name() -> None:
    head = ld(
        {"@type": "Article", "author": {"@type": "Person", "name": "gabor_munier"}}
    )
    body = (
        '<h1>Headline of the story</h1><span class="author">Gàbor Muniér</span>' + STORY
    )
    assert authors(body, head) == ["Gàbor Muniér"]


def test_jsonld_first_name_completed_by_the_author_box() -> None:
    head = ld({"@type": "Article", "author": {"@type": "Person", "name": "Nils"}})
    box = '<footer class="post-footer"><p class="author-bio">Nils Pickert ist freier Autor.</p></footer>'
    assert authors("<h1>Headline of the story</h1>" + STORY + box, head) == [
        "Nils Pickert"
    ]


def test_first_name_not_completed_by_a_noun() -> None:
    head = ld({"@type": "Article", "author": {"@type": "Person", "name": "Matthias"}})
    box = '<div class="site-footer"><div class="author-box">Matthias Medizinstudent, Papa und Läufer</div></div>'
    assert authors("<h1>Headline of the story</h1>" + STORY + box, head) == ["Matthias"]


# -- meta tags ------------------------------------------------------------------------------------


def test_meta_author() -> None:
    assert authors(STORY, meta("author", "Jane Doe")) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [("dcterms.creator", "Gillman, Steve", ["Steve Gillman"]),  # family name first
     ("citation_author", "Curie, Marie", ["Marie Curie"]),
     ("author", "Gillman, Steve", ["Gillman", "Steve"])],  # elsewhere a comma lists names
)
def test_family_name_first_in_catalogue_metas(name: str, content: str, expected: list[str]) -> None:
    assert authors(STORY, meta(name, content)) == expected


@pytest.mark.parametrize("line", ["Текст: Анна Смирнова, фото: Олег Ким", "Авторы: Анна Смирнова"])
def test_russian_author_labels_under_the_headline(line: str) -> None:
    body = ("<h1>Совет утвердил бюджет</h1>" f"<p>{line}</p>"
            "<p>" + "Городской совет утвердил новый бюджет после долгих споров о транспорте. " * 8 + "</p>")
    assert authors(body) == ["Анна Смирнова"]


def test_a_press_agency_beside_the_reporters_is_not_an_author() -> None:
    body = ("<h1>Council passes budget</h1><div class='byline'>By JANE DOE and JOHN ROE, Associated Press</div>"
            "<p>" + "The council approved the budget after a long debate. " * 10 + "</p>")
    assert authors(body) == ["JANE DOE", "JOHN ROE"]


def test_place_after_a_pipe_is_the_dateline_not_an_author() -> None:
    assert clean_authors("By Howard Schneider and Lindsay Dunsmuir | WASHINGTON") == [
        "Howard Schneider", "Lindsay Dunsmuir"]
    assert clean_authors("By PATRICK REEVELL") == ["PATRICK REEVELL"]


def test_cited_references_meta_authors_are_ignored() -> None:
    head = meta("citation_author", "Marwan H. Adwan")
    refs = "".join(
        f'<div itemscope><meta name="author" content="{n}"></div>'
        for n in ("A. Roe", "B. Poe")
    )
    assert authors(STORY + refs, head) == ["Marwan H. Adwan"]


def test_meta_site_with_tagline_is_the_house() -> None:
    head = meta("author", "Example News – Das Magazin für Lesben")
    body = "<h1>Headline of the story</h1><p>Von Claudia Lindner</p>" + STORY
    assert authors(body, head, url="https://examplenews.com/a") == ["Claudia Lindner"]


def test_meta_site_then_person() -> None:
    assert authors(STORY, meta("author", "Example - Alberto Ávila")) == [
        "Alberto Ávila"
    ]


def test_meta_organisation_gives_way_to_a_person() -> None:
    head = meta("author", "Bund der Leser e.V.")
    body = (
        '<h1>Headline of the story</h1><span class="byline">Von Leonora Holling</span>'
        + STORY
    )
    assert authors(body, head) == ["Leonora Holling"]


def test_meta_house_name_before_a_person_meta() -> None:
    head = meta("author", "Example News") + meta("cxenseparse:author", "Lisa Petrich")
    assert authors(STORY, head, url="https://examplenews.com/a") == ["Lisa Petrich"]


def test_site_name_alone_is_kept_as_the_house_credit() -> None:
    assert authors(
        STORY, meta("author", "Example News"), url="https://examplenews.com/a"
    ) == ["Example News"]


# -- byline elements ------------------------------------------------------------------------------


def test_itemprop_author_with_nested_name() -> None:
    body = (
        '<h1>Headline of the story</h1><div itemprop="author" itemscope>'
        '<img alt=""><span itemprop="name">Jane Doe</span><span>Senior Editor, Politics</span></div>'
    )
    assert authors(body + STORY) == ["Jane Doe"]


def test_rel_author_link() -> None:
    assert authors(
        '<h1>Headline of the story</h1><a rel="author" href="/jd">Jane Doe</a>' + STORY
    ) == ["Jane Doe"]


def test_profile_link_beats_a_social_handle_in_the_same_box() -> None:
    body = (
        '<div class="entry-meta-author"><a href="https://news.example.com/author/matthias/">Matthias</a>'
        '<a href="https://twitter.com/herrpfleger">herrpfleger</a></div>'
    )
    assert authors("<h1>Headline of the story</h1>" + body + STORY) == ["Matthias"]


def test_spanish_autor_class() -> None:
    body = '<div class="autor"><h6>Jacobo Betancur Peláez | Publicado hace 3 horas</h6></div>'
    assert authors("<h1>Headline of the story</h1>" + body + STORY) == [
        "Jacobo Betancur Peláez"
    ]


def test_comment_authors_are_never_taken() -> None:
    body = '<div class="siteCommentList"><p class="siteCommentAuthorName">RockyRider66</p></div>'
    assert authors("<h1>Headline of the story</h1>" + STORY + body) == []


def test_sidebar_authors_are_never_taken() -> None:
    body = '<aside class="sidebar"><span class="author">Marat Bekov</span></aside>'
    assert authors("<h1>Headline of the story</h1>" + STORY + body) == []


# -- plain byline lines near the headline --------------------------------------------------------


def test_by_line_under_the_headline() -> None:
    assert authors(
        "<h1>Headline of the story</h1><p>By Jane Doe and John Roe</p>" + STORY
    ) == [
        "Jane Doe",
        "John Roe",
    ]


def test_dated_label_line_above_the_headline() -> None:
    body = "<div><span>05.02.2020</span> <span>- Redaktion: Eberhard Fuhr (Pressesprecher)</span></div>"
    assert authors(body + "<h1>Headline of the story</h1>" + STORY) == ["Eberhard Fuhr"]


def test_date_and_name_line_under_the_headline() -> None:
    body = '<h1>Headline of the story</h1><p class="text-muted">11.12.2019 - Amelie Loevenich</p>'
    assert authors(body + STORY) == ["Amelie Loevenich"]


def test_logo_h1_anchors_nothing_the_h2_headline_does() -> None:
    body = (
        '<h1><a href="/">Example News</a></h1><nav>' + "<span>x</span>" * 150 + "</nav>"
        "<h2>Headline of the story</h2><p>Von Claudia Lindner</p>" + STORY
    )
    assert authors(body, url="https://examplenews.com/a") == ["Claudia Lindner"]


def test_credit_under_a_picture_is_not_a_byline() -> None:
    body = (
        '<h1>Headline of the story</h1><p><video></video><span class="credit video-credit">'
        "By U.S. Customs and Border Protection</span></p>"
    )
    assert authors(body + STORY) == []


def test_by_line_far_below_the_headline_is_not_taken() -> None:
    filler = "<p><span>Paragraph</span></p>" * 100
    assert (
        authors(
            "<h1>Headline of the story</h1>" + filler + "<p>By Jane Doe</p>" + STORY
        )
        == []
    )


# -- author-page links by the headline -----------------------------------------------------------


def test_author_page_link_under_the_headline_gives_its_nested_name() -> None:
    body = (
        '<h1>Headline of the story</h1><div><span><a href="/autoren/jane-doe-123">'
        '<span><img alt="Jane Doe"><span class="teaser-copyright">© Jane Doe</span></span>'
        '<span itemprop="name">Jane  Doe</span></a></span></div>'
    )
    assert authors(body + STORY) == ["Jane Doe"]


def test_author_page_link_inside_a_paragraph_is_not_a_byline() -> None:
    body = (
        "<h1>Headline of the story</h1><p>The minister, "
        '<a href="/people/john-roe">John Roe</a>, said on Monday that the plan is long enough to '
        "be a running paragraph of the story and not a byline at all.</p>"
    )
    assert authors(body + STORY) == []


def test_linked_byline_in_a_nav_bar_right_above_the_headline() -> None:
    body = (
        '<div class="news-nav-buttons"><ul><li><a href="/">Zurück</a>'
        '<div class="author">von <a href="/ueber-uns/autor/jane-doe">Jane Doe</a></div></li></ul></div>'
        "<h1>Headline of the story</h1>"
    )
    assert authors(body + STORY) == ["Jane Doe"]


def test_unlinked_byline_in_a_nav_bar_is_not_taken() -> None:
    body = (
        '<nav class="menu"><ul><li><span>Von John Roe</span></li></ul></nav>'
        "<h1>Headline of the story</h1>"
    )
    assert authors(body + STORY) == []


# -- labelled lines anywhere in the story ---------------------------------------------------------

# a long story: its end lies beyond the window scanned for a byline under the headline
LONG = "<h1>Headline of the story</h1>" + STORY + "<p><span>Paragraph</span></p>" * 100


def test_author_label_under_the_last_paragraph() -> None:
    end = (
        '<p><em>Autor: <a href="/redner/jane-doe">Jane Doe </a>(Sponsored Post), '
        "Rednerin bei example.com</em></p>"
    )
    assert authors(LONG + end) == ["Jane Doe"]


def test_text_label_after_a_line_break_in_the_last_paragraph() -> None:
    end = (
        "<p>The last words of the story.<br><strong>Text:</strong> Jane Doe</p>"
        "<p><strong>Fotos: </strong>John Roe, Max Muster</p>"
    )
    assert authors(LONG + end) == ["Jane Doe"]


def test_label_and_value_in_a_credits_block() -> None:
    end = (
        '<div class="credits"><div class="credits-credit"><div class="label">Fotograf</div>'
        '<div class="value">JOHN ROE</div></div><div class="credits-credit">'
        '<div class="label">Text</div><div class="value">JANE DOE</div></div></div>'
    )
    assert authors(LONG + end) == ["JANE DOE"]


def test_kicker_label_over_another_story_title_is_not_a_credit() -> None:
    end = '<div class="more"><span>Interview</span><h3>John Roe</h3></div>'
    assert authors(LONG + end) == []


def test_book_box_author_is_not_the_story_author() -> None:
    end = "<p>Autor: John Roe<br>Verlag: Example Books<br>ISBN 978-3-16-148410-0</p>"
    assert authors(LONG + end) == []


def test_labelled_line_in_a_comment_is_not_taken() -> None:
    end = '<div class="comment-body"><p>Autor: John Roe</p></div>'
    assert authors(LONG + end) == []


# -- a bare name under the headline that an author box confirms -----------------------------------


def test_bare_name_under_the_headline_confirmed_by_an_author_box() -> None:
    header = (
        "<h1>Headline of the story</h1><ul><li><span>Kommentar</span></li>"
        "<li><span>Jane Q. Doe</span></li></ul>"
    )
    box = (
        '<div class="widget"><li class="post-meta--author">'
        '<a href="/author/jane-q-doe/">Jane Q. Doe</a></li></div>'
    )
    assert authors(header + STORY + box) == ["Jane Q. Doe"]


def test_bare_name_under_the_headline_without_an_author_box_is_not_taken() -> None:
    header = "<h1>Headline of the story</h1><ul><li><span>Jane Q. Doe</span></li></ul>"
    box = '<div class="widget"><li class="post-meta--author"><a href="/author/x/">John Roe</a></li></div>'
    assert authors(header + STORY + box) == []


# -- house names ----------------------------------------------------------------------------------


def test_meta_site_with_its_address_is_the_house_not_a_city() -> None:
    head = meta("author", "examplenews.com, Frankfurt, Germany")
    assert authors(STORY, head, url="https://www.examplenews.com/a") == ["examplenews.com"]


def test_only_houses_named_the_byline_house_beats_the_jsonld_house() -> None:
    head = ld({"@type": "Article", "author": {"@type": "Organization", "name": "Example Team"}})
    body = (
        '<h1>Headline of the story</h1><div class="author-info">Autor Example Blog Redaktion</div>'
        + STORY
    )
    assert authors(body, head) == ["Example Blog Redaktion"]


def test_byline_set_as_a_small_heading_on_a_page_without_h1() -> None:
    body = (
        "<div><h6>Headline of the story</h6><h5><em>Von Jane Doe</em></h5>" + STORY + "</div>"
    )
    assert authors(body, meta("author", "Bund der Leser e.V.")) == ["Jane Doe"]


def test_fuller_name_from_another_signal() -> None:
    assert fuller_name("jane_doe", ["Jane Doe"], []) == "Jane Doe"
    assert fuller_name("Jane", [], ["Jane Doe ist freie Autorin."]) == "Jane Doe"
    assert fuller_name("Jane", [], ["Jane Medizinstudentin, Mutter und Läuferin"]) == "Jane"


def test_a_feeds_marked_bylines_yield_to_the_byline_by_the_headline() -> None:
    # A "Latest" column with author-marked bylines comes before the story in the page;
    # the plain "By …" line under the headline names the story's author.
    feed = "".join(f"<li><a href='/story/{i}'>Story {i}</a><p class='byline'>By {name}</p></li>"
                   for i, name in enumerate(["Burgess Everett", "Matt Wuerker", "Nancy Cook"]))
    body = (f"<div class='column'><ul>{feed}</ul></div><h1>Who will win the VP debate</h1>"
            f"<p>By Steven Shepard</p>{STORY}")
    assert authors(body) == ["Steven Shepard"]
    # the story's own marked byline agrees with the line by the headline: the feed after it
    # changes nothing
    own = (f"<h1>Who will win the VP debate</h1><p class='byline'>By Steven Shepard</p>{STORY}"
           f"<div class='column'><ul>{feed}</ul></div>")
    assert authors(own) == ["Steven Shepard"]


@pytest.mark.parametrize("raw", ["Posts by Tana Ganeva", "View all posts by Tana Ganeva"])
def test_wordpress_author_link_titles(raw: str) -> None:
    assert clean_authors(raw) == ["Tana Ganeva"]


def test_author_link_in_a_share_box_by_the_headline() -> None:
    body = ("<h1>Your holiday outfit, illustrated</h1><div class='author-share-box'>"
            "<div class='author-info'><a class='author-link' href='/author/mangomini/'>Cindy Mangomini</a>"
            f"</div><a href='/share/twitter'>Tweet</a></div>{STORY}")
    assert authors(body) == ["Cindy Mangomini"]


def test_an_unfilled_template_heading_is_not_the_headline() -> None:
    # a sidebar widget's client-side template comes first in the page
    widget = "<div class='story-node'><h1>{text}</h1><h2>{title}</h2></div>"
    body = (f"{widget}<h1>Six celebrities refuse to play</h1><div class='blog-author'>"
            "<a href='/author/ganevatana/' title='Posts by Tana Ganeva'><img alt='Tana Ganeva'></a>"
            f"</div>{STORY}")
    assert authors(body) == ["Tana Ganeva"]
    # a page wrapper classed for its layout ("right-sidebar") around the headline is no sidebar
    assert authors(f"<div class='page-wrapper right-sidebar'>{body}</div>") == ["Tana Ganeva"]


def test_byline_as_the_blocks_own_text_beside_a_heading() -> None:
    body = ("<h1>The Anglosphere: an old dream</h1><div class='post-info'><h3 class='page-subtitle'>"
            "Having cut Britain adrift of Europe, Brexiters are indulging in an old fantasy about a "
            "new national role</h3> by Duncan Bell / January 19, 2017 / <a href='/issue'>Issue</a>"
            f"</div>{STORY}")
    assert authors(body) == ["Duncan Bell"]


def test_an_unresolved_cms_account_yields_to_a_named_author() -> None:
    head = ld({"@type": "Article", "author": {"@type": "Person", "name": "sarah-indra"}})
    body = f"<h1>Headline of the story</h1><p>By Mark Newton</p>{STORY}"
    assert authors(body, head) == ["Mark Newton"]
    # no other source names anyone: the account is all there is
    assert authors(f"<h1>Headline of the story</h1>{STORY}", head) == ["sarah-indra"]


def test_cyrillic_and_kazakh_names_have_the_shape_of_a_name() -> None:
    from scraper.extractor.byline_lines import is_byline_line, looks_like_name

    assert looks_like_name("Анна Смирнова") and looks_like_name("Әлия Нұрланқызы")
    assert is_byline_line("Автор: Әлия Нұрланқызы") and not looks_like_name("городской совет")


# -- conventions without a dev page behind them (each case fails without its rule) -------------------------


@pytest.mark.parametrize(("line", "expected"), [
    ("Door Jan de Vries, 4 maart 2020", ["Jan de Vries"]),  # Dutch
    ("Av Anna Svensson, 4 augusti 2020", ["Anna Svensson"]),  # Swedish
    ("Af Jens Hansen", ["Jens Hansen"]),  # Danish
    ("di Mario Rossi - 4 marzo 2020", ["Mario Rossi"]),  # Italian
    ("Oleh Budi Santoso - Rabu, 4 Maret 2020 16:52 WIB", ["Budi Santoso"]),  # Indonesian, weekday in the tail
])
def test_bylines_in_more_languages(line: str, expected: list[str]) -> None:
    body = f"<h1>Council passes budget</h1><p>{line}</p>" + STORY
    assert authors(body) == expected


@pytest.mark.parametrize(("byline", "expected"), [
    ("홍길동 기자", ["홍길동"]),  # Korean: the name, then "reporter"
    ("김철수 특파원", ["김철수"]),  # "correspondent"
    ("记者 张三", ["张三"]),  # Chinese: "reporter", then a two-character name
    ("作者：李四", ["李四"]),  # "author:"
])
def test_korean_and_chinese_reporter_labels(byline: str, expected: list[str]) -> None:
    body = f"<h1>예산안 통과</h1><div class='byline'>{byline}</div>" + STORY
    assert authors(body) == expected


# Words left beside or instead of a byline on pages of the dates sets: a CMS placeholder
# ("publisher", two sites), the German "published" (two sites), "No Author", button labels.
@pytest.mark.parametrize(("raw", "expected"), [
    ("publisher", []),
    ("Publiziert", []),
    ("No Author", []),
    ("Auteur", []),
    ("Copier", []),
    ("Jane Doe | Follow", ["Jane Doe"]),
    ("Jane Doe | Print", ["Jane Doe"]),
    # pieces of the sentence around a name are no co-authors (three dates-set sites)
    ("Jan Doe, deutscher Journalist", ["Jan Doe"]),
    ("Sari Wulandari - exampleHealth", ["Sari Wulandari"]),
    ("Jane Doe | Autorenseite von", ["Jane Doe"]),
    # ... but a user name alone, or two of them, stay
    ("fhaacker", ["fhaacker"]),
    ("tlow, fhaacker", ["tlow", "fhaacker"]),
])
def test_labels_and_buttons_are_no_names(raw: str, expected: list[str]) -> None:
    assert clean_authors(raw) == expected


# Blogger and classic WordPress themes: the whole blog sits in a "widget" and the byline in the
# post's own footer ("Posted by …"), both inside the post's "hentry" (dates-set audit: five blogs).
BLOGGER = (
    "<div class='widget Blog'><div class='blog-posts hfeed'><div class='post hentry'>"
    "<h3 class='post-title entry-title'>A walk along the river</h3>"
    f"<div class='post-body entry-content'>{STORY}</div>"
    "<div class='post-footer'><div class='post-footer-line post-footer-line-1'>"
    "<span class='post-author vcard'>{label} <span class='fn'>"
    "<a class='g-profile' href='https://www.blogger.com/profile/0123456789' rel='author'>"
    "<span itemprop='name'>R. J. Okafor</span></a></span></span> at 9:47 AM</div></div>"
    "</div></div></div>"
    "<div class='widget Profile'><a rel='author' href='https://www.blogger.com/profile/0123456789'>"
    "View my complete profile</a></div>"
)


@pytest.mark.parametrize("label", ["Posted by", "Eingestellt von"])
def test_a_blog_posts_own_footer_names_its_author(label: str) -> None:
    assert authors(BLOGGER.replace("{label}", label)) == ["R. J. Okafor"]


def test_a_sidebar_widget_outside_the_post_still_names_no_author() -> None:
    body = (f"<article><h1>A walk along the river</h1>{STORY}</article>"
            "<div class='widget'><p>By Jane Doe</p><p>By John Roe</p></div>")
    assert authors(body) == []


# A book review's info box set as sibling lines: its "Autorin:" is the book's author.
def test_a_book_box_of_sibling_lines_names_no_author() -> None:
    box = ("<div>Titel: The Lantern House</div><div>Seiten: 400 Seiten</div>"
           "<div>Autorin: Mara Quill</div><div>Verlag: Example Press</div>")
    assert authors(f"<article><h1>Our book of the month</h1>{STORY}{box}{STORY}</article>") == []


def test_one_author_meta_per_author_in_the_head_names_them_all() -> None:
    head = meta("author", "Ines Walde") + meta("author", "Tomas K. Brandt")
    body = f"<article><h1>Storms will get wetter</h1>{STORY}</article>"
    assert authors(body, head) == ["Ines Walde", "Tomas K. Brandt"]
    # a web agency's signatures are no authors
    agency = meta("author", "Studio d.o.o. - www.studio.example") + meta("author", "Studio - www.studio.example")
    assert authors(body, agency) == []


# The post's own footer under another CMS's name (Movable Type's "asset-footer"), and a page
# layout named for its sidebar ("panel-display zen-one-sidebar-second") around the headline too:
# neither is furniture (dates-set audit, two sites).
@pytest.mark.parametrize("page", [
    "<div class='entry-asset asset'><h1>Electric cars, a new trend</h1>" + STORY
    + "<div class='asset-footer'>Von Kerstin am 03.05.2013, 11:51 | 0 Meinungen | Energie sparen</div></div>",
    "<div class='panel-display zen-one-sidebar-second'><h1>A column on memory</h1>"
    "<div class='signature'>Par Claire Vautrin le 07 Mai 2020</div>" + STORY
    + "<div class='region-sidebar-second'>Most read</div></div>",
])
def test_a_posts_footer_and_a_page_layout_are_no_furniture(page: str) -> None:
    assert len(authors(page)) == 1


@pytest.mark.parametrize(("classes", "furniture"), [
    ("post-footer", False), ("asset-footer", False), ("entry-meta", False),
    ("post-meta share-bar", True), ("site-footer", True), ("footer", True),
])
def test_a_posts_own_parts_are_no_furniture_but_keep_their_other_names(classes: str, furniture: bool) -> None:
    assert is_furniture(parse_html(f"<html><body><div class='{classes}'>x</div></body></html>").find(".//div")) is furniture
