"""A generated KazPost-style site of N articles, rendered on the fly.

The benchmark crawls this site on 127.0.0.1. Pages are built per request
from the fixture templates (``fixtures/templates/{a,b,c}.html``), so a site of
20,000 articles holds only headlines and slugs in memory, never pages.
Everything is derived from ``(seed, article number)``: the same site renders
the same bytes every time.

    site = GeneratedSite(5000)
    server, base = serve(site)      # http://127.0.0.1:PORT, daemon thread
    ...
    server.shutdown(); server.server_close()
"""

from __future__ import annotations

import html
import http.server
import random
import re
import threading
from datetime import date
from functools import partial
from pathlib import Path

__all__ = ["GeneratedSite", "serve"]

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
MARKUPS = ("a", "b", "c")
#: Placeholder origin in the sitemap; ``serve`` rewrites it to the real one.
ORIGIN = "http://127.0.0.1:8765"
MASTHEAD_DATE = "Saturday, Feb 22, 2025"
HTML = "text/html; charset=utf-8"
NOT_FOUND = b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
OVERLAY_LINKS = 50
EPOCH = date(2019, 1, 1).toordinal()

PLACES = ["Kazakhstan", "Kyrgyzstan", "Uzbekistan", "Tajikistan", "Turkmenistan", "Almaty", "Astana",
          "Bishkek", "Tashkent", "Dushanbe", "Shymkent", "Karaganda", "Aktau", "Osh", "Samarkand",
          "Pavlodar", "Atyrau", "Kostanay", "Khujand", "Karakol"]
ACTORS = ["The government", "Parliament", "The central bank", "Farmers", "Miners", "Teachers",
          "The rail operator", "Regional officials", "Activists", "The energy ministry",
          "City authorities", "Exporters", "Doctors", "The customs service", "Residents"]
VERBS = ["approved", "debated", "delayed", "expanded", "rejected", "backed", "reviewed", "suspended",
         "launched", "questioned", "protested", "welcomed"]
PROJECTS = ["new grain export rules", "a water-sharing deal", "the metro extension",
            "a coal plant upgrade", "a border trade zone", "higher electricity tariffs",
            "a Caspian ferry route", "a wind farm tender", "rent controls", "a new airport terminal",
            "the pension reform", "road tolls on the ring road", "a gold mine licence",
            "cotton quotas", "a railway to the Chinese border", "a hydropower dam",
            "a ban on used car imports", "school meal subsidies", "gas price caps", "a tax amnesty"]
PEOPLE = ["Aigerim Nurlanova", "Daniyar Omarov", "Gulnara Seitova", "Rustam Nazarov",
          "Aibek Jumabaev", "Saule Bekova", "Timur Akhmetov", "Dilnoza Karimova", "Erlan Tleubaev",
          "Madina Ismailova", "Bakyt Osmonov", "Farrukh Yusupov"]
ROLES = ["an economist", "a farmer", "a local deputy", "a lawyer", "a shopkeeper", "an engineer",
         "a transport analyst", "a teacher", "a civil society activist", "a retired miner"]
SENTENCES = [
    "{actor} in {place} said on {day} that {project} would be reviewed before the end of the year.",
    "According to figures presented to officials in {place}, the cost of {project} has risen by about {pct} percent.",
    "“We have heard these promises before,” said {person}, {role} from {place}. “This time we want to see results.”",
    "Critics say that {project} has been discussed for {num} years without a clear plan or budget.",
    "{person}, {role}, said the decision on {project} would affect thousands of families in {place}.",
    "Officials did not respond to a request for comment on {project} by the time of publication.",
    "The debate over {project} has divided opinion in {place}, where many residents remain skeptical.",
    "Analysts expect {actor2} to return to the question of {project} after the next budget cycle.",
    "Some {crowd} people attended a public meeting in {place} to discuss {project}.",
    "Supporters of {project} argue that it will create jobs and attract investment to {place}.",
    "A similar plan was abandoned in {place} {num} years ago after a dispute over financing.",
    "{actor} promised to publish the full details of {project} within {num} weeks.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


class _Template:
    """A ``string.Template`` file pre-split into literals and slots (faster than regex substitution)."""

    def __init__(self, text: str) -> None:
        if "$$" in text or "${" in text:
            raise ValueError("sitegen templates use plain $name slots only")
        self.parts = re.split(r"\$(\w+)", text)

    def substitute(self, values: dict[str, str]) -> str:
        """Fill every slot; a missing value raises ``KeyError`` like ``string.Template``."""
        parts = self.parts[:]
        for k in range(1, len(parts), 2):
            parts[k] = values[parts[k]]
        return "".join(parts)


def _load_template(name: str) -> _Template:
    """A fixture template with links to fixture-only pages pointed at the home page."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    text = text.replace('href="/kazakhstan/"', 'href="/"').replace('href="/tag/central-asia/"', 'href="/"')
    text = re.sub(r'\s*<(link|li)[^\n]*href="/feed\.rss"[^\n]*', "", text)
    return _Template(text)


class GeneratedSite:
    """A deterministic KazPost-style site of ``n_articles`` articles in three markups."""

    def __init__(self, n_articles: int, seed: int = 1, per_index_page: int = 50, *,
                 listing: str = "teasers", page_path: str = "/page/{n}") -> None:
        """``listing`` is how index pages list articles: ``"teasers"`` (a heading link and an
        excerpt each) or ``"links"`` (a bare list of headline links, nothing else);
        ``page_path`` is where index page ``n`` >= 2 lives (the URL alone need not say "listing")."""
        if n_articles < 1 or per_index_page < 1:
            raise ValueError("n_articles and per_index_page must be at least 1")
        if listing not in ("teasers", "links") or page_path.count("{n}") != 1 or not page_path.startswith("/"):
            raise ValueError("listing is 'teasers' or 'links'; page_path is '/...{n}...'")
        self.n_articles = n_articles
        self.seed = seed
        self.per_index_page = per_index_page
        self.listing = listing
        self.page_path = page_path
        head, tail = page_path.split("{n}")
        self._page_re = re.compile(re.escape(head) + "([1-9][0-9]*)" + re.escape(tail))
        self.n_index_pages = -(-n_articles // per_index_page)
        rng = random.Random(seed)
        self._templates = {m: _load_template(f"{m}.html") for m in MARKUPS}
        self._index_template = _load_template("index.html")
        # Text is escaped once here (quote-safe, so usable in attributes too), never per request.
        self._sentences = [html.escape(self._sentence(rng)) for _ in range(4000)]
        headlines = [self._headline(rng) for _ in range(n_articles)]
        width = max(5, len(str(n_articles - 1)))
        self._paths = [f"/article-{i:0{width}d}-{'-'.join(_slug(h).split('-')[:5])}"
                       for i, h in enumerate(headlines)]
        self._headlines = [html.escape(h) for h in headlines]
        self._by_path = {p: i for i, p in enumerate(self._paths)}
        span = max(1, n_articles - 1)
        self._offsets = [(k * 2654435761) % span for k in range(1, OVERLAY_LINKS + 1)]

    @staticmethod
    def _sentence(rng: random.Random) -> str:
        return rng.choice(SENTENCES).format(
            actor=rng.choice(ACTORS), actor2=rng.choice(ACTORS).lower(), place=rng.choice(PLACES),
            project=rng.choice(PROJECTS), person=rng.choice(PEOPLE), role=rng.choice(ROLES),
            day=rng.choice(DAYS), pct=rng.randint(5, 60), num=rng.randint(2, 12),
            crowd=rng.randint(40, 900))

    @staticmethod
    def _headline(rng: random.Random) -> str:
        actor = rng.choice(ACTORS).removeprefix("The ")
        return f"{rng.choice(PLACES)}: {actor[0].upper()}{actor[1:]} {rng.choice(VERBS)} {rng.choice(PROJECTS)}"

    # -- public API ---------------------------------------------------------

    def article_paths(self) -> list[str]:
        """Every article path, in article-number order."""
        return list(self._paths)

    def index_paths(self) -> list[str]:
        """Every index page path: ``/``, ``/page/2``, ..."""
        return ["/"] + [self._page(k) for k in range(2, self.n_index_pages + 1)]

    def render(self, path: str) -> tuple[int, str, bytes]:
        """``(status, content_type, body)`` for a request path (query ignored)."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        number = self._by_path.get(path)
        if number is not None:
            return 200, HTML, self._article(number).encode("utf-8")
        page = self._index_number(path)
        if page is not None:
            return 200, HTML, self._index(page).encode("utf-8")
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n\nSitemap: /sitemap.xml\n"
        if path == "/sitemap.xml":
            return 200, "application/xml", self._sitemap().encode("utf-8")
        return 404, HTML, NOT_FOUND

    # -- pages --------------------------------------------------------------

    def _index_number(self, path: str) -> int | None:
        if path == "/":
            return 1
        match = self._page_re.fullmatch(path)
        if match and 2 <= int(match.group(1)) <= self.n_index_pages:
            return int(match.group(1))
        return None

    def _page(self, k: int) -> str:
        return self.page_path.replace("{n}", str(k))

    def _teaser(self, i: int) -> str:
        return self._sentences[(i * 13 + 7) % len(self._sentences)]

    def _published(self, i: int) -> date:
        return date.fromordinal(EPOCH + (i * 37 + self.seed * 11) % 2000)

    def _index(self, page: int) -> str:
        first = (page - 1) * self.per_index_page
        numbers = range(first, min(first + self.per_index_page, self.n_articles))
        if self.listing == "links":
            items = "    <ul>\n" + self._links(list(numbers), "      ") + "\n    </ul>"
        else:
            items = "\n".join(
                f'    <article class="post-item"><h2 class="entry-title"><a href="{self._paths[i]}">'
                f'{self._headlines[i]}</a></h2><p class="teaser">{self._teaser(i)}</p></article>'
                for i in numbers)
        nav = []
        if page > 1:
            nav.append(f'<a class="prev" href="{"/" if page == 2 else self._page(page - 1)}">Newer posts</a>')
        if page < self.n_index_pages:
            nav.append(f'<a class="next" href="{self._page(page + 1)}">Older posts</a>')
        title = "KazPost - Kazakhstan News" if page == 1 else f"Page {page} - KazPost"
        return self._index_template.substitute({
            "title": title, "heading": "Latest news" if page == 1 else f"Latest news, page {page}",
            "items": items, "pagination": " ".join(nav), "extra": "", "body_class": "home blog",
            "masthead_date": MASTHEAD_DATE})

    def _related(self, i: int) -> list[int]:
        """Up to 50 other articles, spread over the whole site (never ``i`` itself)."""
        n = self.n_articles
        if n == 1:
            return []
        span, shift = n - 1, i * 40503
        return list(dict.fromkeys([(i + 1 + (o + shift) % span) % n for o in self._offsets]))

    def _links(self, numbers: list[int], indent: str = "    ") -> str:
        paths, heads = self._paths, self._headlines
        return "\n".join([f'{indent}<li><a href="{paths[j]}">{heads[j]}</a></li>' for j in numbers])

    def _article(self, i: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + i)
        count = rng.randint(6, 20)
        # One draw for the whole body, cut into paragraphs of 2-3 sentences.
        drawn = rng.choices(self._sentences, k=3 * count)
        paragraphs = [" ".join(drawn[3 * k: 3 * k + 2 + (k + i) % 2]) for k in range(count)]
        related = self._related(i)
        markup = MARKUPS[i % len(MARKUPS)]
        values = getattr(self, f"_values_{markup}")(i, rng, paragraphs, related)
        headline, lede = self._headlines[i], self._teaser(i)
        values.update(headline=headline, headline_attr=headline, lede=lede, lede_attr=lede,
                      section="Central Asia", section_attr="Central Asia", section_path="/")
        return self._templates[markup].substitute(values)

    def _values_a(self, i: int, rng: random.Random, paragraphs: list[str],
                  related: list[int]) -> dict[str, str]:
        """KazPost markup: no date, related cards, 50-link overlay, player, modal."""
        cards = "".join([f'<div class="related-post"><a href="{self._paths[j]}">'
                         f'<span class="related-post-title">{self._headlines[j]}</span></a></div>'
                         for j in related[:3]])
        return {"post_id": str(10000 + i), "masthead_date": MASTHEAD_DATE,
                "lede_html": f'    <p class="post-excerpt"><em>{self._teaser(i)}</em></p>',
                "body": "\n".join([f"    <p>{p}</p>" for p in paragraphs]),
                "related_cards": cards, "overlay_items": self._links(related)}

    def _values_b(self, i: int, rng: random.Random, paragraphs: list[str],
                  related: list[int]) -> dict[str, str]:
        """Regional portal: clock, dateline, subheads, inline links, Source trailer."""
        out = []
        for k, text in enumerate(paragraphs):
            if k and k % 4 == 0:
                out.append(f"<h2>{self._headlines[(i + k) % self.n_articles].split(': ')[-1]}</h2>")
            out.append(f"<p>{text}</p>")
            if k == 1 and related:
                out.append(f'<p class="also-see"><strong>Also, see:</strong> '
                           f'<a href="{self._paths[related[0]]}">{self._headlines[related[0]]}</a></p>')
        out.append(f'<p class="source">Source: https://example.org/news{self._paths[i]}</p>')
        relevant = "\n".join([
            f'        <li><span class="date">{self._published(j):%d.%m.%Y}</span> '
            f'<a href="{self._paths[j]}">{self._headlines[j]}</a></li>' for j in related[:8]])
        return {"clock": "Saturday, 10:05 | 22.02.2025",
                "dateline_html": f'<span class="date">{self._published(i):%d.%m.%Y}, '
                                 f'{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}</span> ',
                "author_html": "", "views": str(rng.randint(100, 9000)),
                "body": "\n".join(["        " + line for line in out]), "relevant_items": relevant}

    def _values_c(self, i: int, rng: random.Random, paragraphs: list[str],
                  related: list[int]) -> dict[str, str]:
        """Modern markup: JSON-LD, Open Graph, byline, ``<time>``."""
        authors = rng.sample(PEOPLE, 1 + (i // 3) % 2)
        day = self._published(i)
        when = f"{day.isoformat()}T09:00:00+06:00"
        names = ", ".join([f'{{"@type": "Person", "name": "{a}"}}' for a in authors])
        jsonld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
                  f'"@type": "NewsArticle", "headline": "{self._headlines[i]}", '
                  f'"datePublished": "{when}", "author": [{names}]}}</script>')
        return {"canonical": self._paths[i], "masthead_date": MASTHEAD_DATE,
                "head_extra": f'<meta property="article:published_time" content="{when}">\n{jsonld}',
                "lede_html": f'<p class="standfirst">{self._teaser(i)}</p>',
                "byline_html": f'<span class="byline-authors">By {" and ".join(authors)}, Staff Writers</span> '
                               f'<time class="published" datetime="{when}">{day:%B %d, %Y}</time>',
                "body": "\n".join([f"      <p>{p}</p>" for p in paragraphs]),
                "more_items": self._links(related[:6], "      ")}

    def _sitemap(self) -> str:
        urls = "\n".join([f"<url><loc>{ORIGIN}{p}</loc><lastmod>{self._published(i).isoformat()}</lastmod></url>"
                          for i, p in enumerate(self._paths)])
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "\n</urlset>\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves a :class:`GeneratedSite`; HTTP/1.1 keep-alive so the client is the bottleneck."""

    protocol_version = "HTTP/1.1"
    server_version = "sitegen/1"

    def __init__(self, *args: object, site: GeneratedSite, **kwargs: object) -> None:
        self.site = site
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Quiet: a benchmark server must not spend its time logging."""

    def _respond(self, with_body: bool) -> None:
        status, ctype, body = self.site.render(self.path)
        if ctype == "application/xml":
            host, port = self.server.server_address[:2]
            body = body.replace(ORIGIN.encode(), f"http://{host}:{port}".encode())
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        """Answer with the rendered page."""
        self._respond(True)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        """Answer with the headers only."""
        self._respond(False)


def serve(site: GeneratedSite, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``site`` on 127.0.0.1 from a daemon thread; return ``(server, base_url)``.

    Stop it with ``server.shutdown(); server.server_close()``.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(_Handler, site=site))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="sitegen", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
