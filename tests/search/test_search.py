"""Course search, facets, highlights, autocomplete, typo tolerance and index upkeep, on every backend."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import delete, event, select, update

from lms.core.cache import mark_changed
from lms.core.runtime import Runtime
from lms.courses.models import Course
from lms.courses.service import CATALOG_CACHE
from lms.search import service as search_service
from lms.search import text
from lms.search.models import CourseSearch, SearchTerm
from lms.users.models import Role
from tests.courses.helpers import add_lesson, add_section, build_course
from tests.factories import Account, signed_in


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    resp = await client.get("/api/v1/search/courses", params=params)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def titles(client: httpx.AsyncClient, **params: Any) -> list[str]:
    return [c["title"] for c in (await search(client, **params))["items"]]


async def instructor(rt: Runtime, client: httpx.AsyncClient, name: str = "Prof. Rao") -> Account:
    return await signed_in(rt, client, Role.INSTRUCTOR, full_name=name)


async def test_title_matches_outrank_description_matches(rt: Runtime, client: httpx.AsyncClient) -> None:
    rao = await instructor(rt, client)
    await build_course(rt, client, instructor=rao, title="Physics Primer", description="A little quantum mechanics.")
    await build_course(rt, client, instructor=rao, title="Quantum Computing", description="Qubits and gates.")
    await build_course(rt, client, instructor=rao, title="Data Structures", description="Arrays and trees.")
    await build_course(rt, client, instructor=rao, title="Organic Chemistry", description="Carbon compounds.")

    body = await search(client, q="quantum")
    assert [c["title"] for c in body["items"]] == ["Quantum Computing", "Physics Primer"]
    assert body["total"] == 2
    assert body["items"][0]["highlight"]["title"] == "<mark>Quantum</mark> Computing"
    assert "<mark>quantum</mark> mechanics" in body["items"][1]["highlight"]["snippet"]
    # The card is the catalog's card.
    assert body["items"][0]["instructors"][0]["full_name"] == "Prof. Rao"
    assert {"slug", "rating", "price", "lesson_count", "enrollment_count"} <= set(body["items"][0])
    # Words match as prefixes, every word must match, and instructor names and lesson titles are searched.
    assert await titles(client, q="quant comp") == ["Quantum Computing"]
    assert await titles(client, q="quantum trees") == []
    assert len(await titles(client, q="Rao")) == 4
    assert len(await titles(client, q="lesson")) == 4


async def test_filters_facets_and_sorts(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    cse = (await client.post("/api/v1/categories", json={"name": "CSE"}, headers=admin.headers)).json()
    ece = (await client.post("/api/v1/categories", json={"name": "ECE"}, headers=admin.headers)).json()
    rao, devi = await instructor(rt, client), await instructor(rt, client, "Dr. Devi")
    await build_course(
        rt, client, instructor=rao, title="Python Basics", category_id=cse["id"], level="beginner", lessons=1
    )
    await build_course(
        rt,
        client,
        instructor=devi,
        title="Python for Data Science",
        category_id=cse["id"],
        level="advanced",
        price={"amount": 99900, "currency": "INR"},
        lessons=1,
    )
    await build_course(
        rt,
        client,
        instructor=rao,
        title="Embedded Python",
        category_id=ece["id"],
        language="te",
        price={"amount": 29900, "currency": "INR"},
        lessons=1,
    )
    await build_course(rt, client, instructor=rao, title="Circuits", category_id=ece["id"], lessons=1)

    body = await search(client, q="python")
    assert body["total"] == 3
    facets = body["facets"]
    assert facets["category"] == [
        {"value": cse["slug"], "label": "CSE", "count": 2},
        {"value": ece["slug"], "label": "ECE", "count": 1},
    ]
    assert {f["value"]: f["count"] for f in facets["price"]} == {"free": 1, "paid": 2}
    assert {f["value"]: f["count"] for f in facets["language"]} == {"en": 2, "te": 1}
    assert {f["value"]: f["count"] for f in facets["level"]} == {"beginner": 1, "advanced": 1, "all_levels": 1}

    # A facet's own filter does not narrow its counts; the other filters do.
    body = await search(client, q="python", category=cse["slug"])
    assert {c["title"] for c in body["items"]} == {"Python Basics", "Python for Data Science"}
    assert {f["value"]: f["count"] for f in body["facets"]["category"]} == {cse["slug"]: 2, ece["slug"]: 1}
    assert {f["value"]: f["count"] for f in body["facets"]["price"]} == {"free": 1, "paid": 1}
    body = await search(client, q="python", level="advanced")
    assert body["total"] == 1 and body["items"][0]["title"] == "Python for Data Science"
    assert sum(f["count"] for f in body["facets"]["level"]) == 3

    assert await titles(client, q="python", price="free") == ["Python Basics"]
    assert await titles(client, q="python", language="te") == ["Embedded Python"]
    assert await titles(client, q="python", instructor=devi.user.id) == ["Python for Data Science"]
    assert await titles(client, q="python", min_price=10000, max_price=50000) == ["Embedded Python"]
    by_price = ["Python Basics", "Embedded Python", "Python for Data Science"]
    assert await titles(client, q="python", sort="price") == by_price
    # Every catalog sort: the web app keeps the catalog's sort when a query is typed.
    assert await titles(client, q="python", sort="price_desc") == by_price[::-1]
    by_title = ["Embedded Python", "Python Basics", "Python for Data Science"]
    assert await titles(client, q="python", sort="title") == by_title
    paged = await search(client, q="python", sort="title", page=2, page_size=2)
    assert [c["title"] for c in paged["items"]] == ["Python for Data Science"]
    assert await titles(client, q="python", sort="newest") == [
        "Embedded Python",
        "Python for Data Science",
        "Python Basics",
    ]
    paged = await search(client, q="python", sort="newest", page=2, page_size=2)
    assert [c["title"] for c in paged["items"]] == ["Python Basics"] and paged["total"] == 3
    # No words: every published course, with facets.
    assert (await search(client, q=""))["total"] == 4
    assert (await client.get("/api/v1/search/courses", params={"sort": "loudest"})).status_code == 422


async def test_snippets_are_escaped(rt: Runtime, client: httpx.AsyncClient) -> None:
    await build_course(
        rt,
        client,
        title="<b>Bold</b> Networking & Security",
        description="Intro. <script>alert('x')</script> Firewalls & routers keep networks safe.",
    )
    item = (await search(client, q="network"))["items"][0]
    assert item["highlight"]["title"] == "&lt;b&gt;Bold&lt;/b&gt; <mark>Networking</mark> &amp; Security"
    snippet = item["highlight"]["snippet"]
    assert "<script" not in snippet and "<b>" not in snippet
    assert "<mark>networks</mark>" in snippet and "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


@pytest.mark.parametrize("common_from", [300, 1], ids=["rare-prefix-plan", "common-prefix-plan"])
async def test_suggest(
    rt: Runtime, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, common_from: int
) -> None:
    # Both plans give the same answers: of the title-prefix statement on MariaDB (it walks the courses by
    # popularity once this many titles share the prefix), and of the word-prefix one on PostgreSQL (the
    # longest word's courses looked up by id, or, when that word is this common, every course walked).
    monkeypatch.setattr(search_service, "_COMMON_PREFIX", common_from)
    rao = await instructor(rt, client)
    learning = await build_course(rt, client, instructor=rao, title="Machine Learning", lessons=1)
    for title in ("Machine Vision", "Deep Learning"):
        await build_course(rt, client, instructor=rao, title=title, lessons=1)
    await build_course(rt, client, instructor=rao, title="Machine Drafts", published=False)

    async def suggest(q: str) -> list[str]:
        resp = await client.get("/api/v1/search/suggest", params={"q": q})
        assert resp.status_code == 200, resp.text
        return [s["title"] for s in resp.json()["suggestions"]]

    # The most popular first; equally popular, the newest first (the catalog's "popular" order).
    assert await suggest("mach") == ["Machine Vision", "Machine Learning"]
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(update(Course).where(Course.id == learning.id).values(enrollment_count=3))
        mark_changed(session, CATALOG_CACHE)  # as an enrollment seen after the answer cache's TTL
    assert await suggest("mach") == ["Machine Learning", "Machine Vision"]
    assert await suggest("MACHINE l") == ["Machine Learning"]
    assert sorted(await suggest("learn")) == ["Deep Learning", "Machine Learning"]
    assert await suggest("deep lea") == ["Deep Learning"]
    assert await suggest("learning mach") == ["Machine Learning"]  # title words in any order
    assert await suggest("earning") == []  # words are matched from their start
    assert await suggest("machine zz") == []  # the longest word is found, the other is not
    assert await suggest("ma machinery") == []  # the longest word is found nowhere
    assert await suggest("m") == []
    assert await suggest("%_'\"") == []
    slugs = (await client.get("/api/v1/search/suggest", params={"q": "vision"})).json()["suggestions"]
    assert slugs == [{"title": "Machine Vision", "slug": "machine-vision"}]


async def test_typo_tolerance(rt: Runtime, client: httpx.AsyncClient) -> None:
    await build_course(rt, client, title="Algorithms Design", description="Greedy methods and graphs.")
    await build_course(rt, client, title="Thermodynamics", description="Heat engines.")
    for typo in ("algoritms", "alxorithms", "lagorithms", "algorithmss", "qlgorithms"):
        body = await search(client, q=f"{typo} design")
        assert [c["title"] for c in body["items"]] == ["Algorithms Design"], typo
        assert body["did_you_mean"] == "algorithms design", typo
    body = await search(client, q="graphs")
    assert body["did_you_mean"] is None and body["total"] == 1
    # Short words are not corrected; two wrong letters are too many.
    assert (await search(client, q="hwat"))["total"] == 0
    assert (await search(client, q="alxorithxs"))["total"] == 0


OPERATOR_QUERIES = [
    '"compilers',
    "compilers*",
    "compil*",
    "NEAR(compilers, parsing)",
    "compilers NEAR parsing",
    "-compilers",
    "+compilers +parsing",
    "~compilers",
    "@compilers",
    "compilers)",
    "((compilers",
    "compilers AND OR NOT",
    "compilers:*",
    "compilers' OR '1'='1",
    "compilers \\ % _ ; --",
    "compilers | parsing & !code <-> generation",
]


async def test_operator_strings_are_words(rt: Runtime, client: httpx.AsyncClient) -> None:
    await build_course(rt, client, title="Compilers", description="Parsing and code generation.", lessons=1)
    for q in OPERATOR_QUERIES:
        assert await titles(client, q=q) == ["Compilers"], q
    assert await titles(client, q="compilers " + "word " * 90) == []


async def test_bad_queries_never_fail(rt: Runtime, client: httpx.AsyncClient) -> None:
    await build_course(rt, client, title="Go Programming", description="Concurrency in Go.", lessons=1)
    for q in ['"', "*", "()", "-", "NEAR", "@@", "'", "ä", "the of and", "🙂"]:
        resp = await client.get("/api/v1/search/courses", params={"q": q})
        assert resp.status_code == 200, (q, resp.text)
        resp = await client.get("/api/v1/search/suggest", params={"q": q})
        assert resp.status_code == 200, (q, resp.text)
    # The NUL character is refused everywhere in the API (PostgreSQL cannot store it).
    for path in ("/api/v1/search/courses", "/api/v1/search/suggest"):
        resp = await client.get(path, params={"q": "go\x00"})
        assert resp.status_code == 422 and resp.json()["code"] == "validation_error", resp.text
    # Words too short for the full-text engines match whole title words.
    assert await titles(client, q="go") == ["Go Programming"]
    resp = await client.get("/api/v1/search/courses", params={"q": "x" * 501})
    assert resp.status_code == 422 and resp.json()["code"] == "validation_error"
    resp = await client.get("/api/v1/search/courses", params={"q": "x", "page_size": 1000})
    assert resp.status_code == 422


async def test_index_follows_course_changes(rt: Runtime, client: httpx.AsyncClient) -> None:
    course = await build_course(rt, client, title="Signals and Systems", description="Fourier transforms.")
    headers = course.instructor.headers
    draft = await build_course(rt, client, instructor=course.instructor, title="Signals Draft", published=False)
    assert await titles(client, q="signals") == ["Signals and Systems"]

    resp = await client.patch(f"/api/v1/courses/{course.id}", json={"title": "Control Theory"}, headers=headers)
    assert resp.status_code == 200
    assert await titles(client, q="signals") == []
    assert await titles(client, q="control") == ["Control Theory"]
    suggestions = (await client.get("/api/v1/search/suggest", params={"q": "sig"})).json()["suggestions"]
    assert suggestions == []

    section_id = await add_section(client, course.instructor, course.id, title="Stability")
    lesson = await add_lesson(client, course.instructor, section_id, title="Nyquist Criterion")
    assert await titles(client, q="nyquist") == ["Control Theory"]
    assert await titles(client, q="stability") == ["Control Theory"]
    resp = await client.patch(f"/api/v1/lessons/{lesson['id']}", json={"title": "Bode Plots"}, headers=headers)
    assert resp.status_code == 200
    assert await titles(client, q="nyquist") == []
    assert await titles(client, q="bode") == ["Control Theory"]
    assert (await client.delete(f"/api/v1/lessons/{lesson['id']}", headers=headers)).status_code == 204
    assert await titles(client, q="bode") == []

    resp = await client.post(f"/api/v1/courses/{course.id}/archive", headers=headers)
    assert resp.status_code == 200
    assert await titles(client, q="control") == []
    assert (await client.delete(f"/api/v1/courses/{draft.id}", headers=headers)).status_code == 204
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(CourseSearch).where(CourseSearch.course_id == draft.id)) is None
        # Words of unpublished courses never reach the vocabulary (did-you-mean must not leak them).
        assert await session.scalar(select(SearchTerm.doc_freq).where(SearchTerm.term == "draft")) in (None, 0)
    resp = await client.post(f"/api/v1/courses/{course.id}/publish", headers=headers)
    assert resp.status_code == 200
    assert await titles(client, q="control") == ["Control Theory"]


async def test_filters_and_facets_follow_course_edits(rt: Runtime, client: httpx.AsyncClient) -> None:
    """Search reads its copies of the filter and facet columns: an edit or a category's deletion shows at once."""
    admin = await signed_in(rt, client, Role.ADMIN)
    cse = (await client.post("/api/v1/categories", json={"name": "CSE"}, headers=admin.headers)).json()
    ece = (await client.post("/api/v1/categories", json={"name": "ECE"}, headers=admin.headers)).json()
    course = await build_course(rt, client, title="Signals and Systems", category_id=cse["id"], level="beginner")
    body = await search(client, q="signals")
    assert [f["value"] for f in body["facets"]["category"]] == [cse["slug"]]
    assert [f["value"] for f in body["facets"]["price"]] == ["free"]

    changes = {
        "category_id": ece["id"],
        "level": "advanced",
        "language": "te",
        "price": {"amount": 49900, "currency": "INR"},
    }
    resp = await client.patch(f"/api/v1/courses/{course.id}", json=changes, headers=course.instructor.headers)
    assert resp.status_code == 200, resp.text
    body = await search(client, q="signals")
    facets = {name: [(f["value"], f["count"]) for f in values] for name, values in body["facets"].items()}
    assert facets == {
        "category": [(ece["slug"], 1)],
        "level": [("advanced", 1)],
        "language": [("te", 1)],
        "price": [("paid", 1)],
    }
    assert await titles(client, q="signals", category=cse["slug"]) == []
    assert await titles(client, q="signals", category=ece["id"], price="paid", min_price=49900) == [
        "Signals and Systems"
    ]
    assert await titles(client, q="signals", max_price=49899) == []

    assert (await client.delete(f"/api/v1/categories/{ece['id']}", headers=admin.headers)).status_code == 204
    body = await search(client, q="signals")
    assert body["total"] == 1 and body["facets"]["category"] == []
    assert body["items"][0]["category"] is None
    assert await titles(client, q="signals", category=ece["id"]) == []
    async with rt.sessionmaker() as session:
        copied = await session.scalar(select(CourseSearch.category_id).where(CourseSearch.course_id == course.id))
    assert copied is None


async def test_unpublished_courses_are_not_found(rt: Runtime, client: httpx.AsyncClient) -> None:
    await build_course(rt, client, title="Secret Robotics", published=False)
    assert (await search(client, q="robotics"))["total"] == 0
    assert (await search(client, q="robotcs"))["did_you_mean"] is None
    assert (await client.get("/api/v1/search/suggest", params={"q": "secret"})).json()["suggestions"] == []


async def test_reindex_rebuilds_everything(rt: Runtime, client: httpx.AsyncClient) -> None:
    await build_course(rt, client, title="Fluid Mechanics", description="Bernoulli.", lessons=1)
    await build_course(rt, client, title="Structural Analysis", description="Trusses.", lessons=1)
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(delete(CourseSearch))
        await session.execute(delete(SearchTerm))
    assert (await search(client, q="fluid"))["total"] == 0
    seen: list[tuple[int, int]] = []
    assert await search_service.reindex(rt.sessionmaker, on_progress=lambda d, t: seen.append((d, t))) == 2
    assert seen[-1] == (2, 2)
    assert await titles(client, q="fluid") == ["Fluid Mechanics"]
    assert (await search(client, q="bernouli"))["did_you_mean"] == "bernoulli"
    # Running it again changes nothing.
    await search_service.reindex(rt.sessionmaker)
    assert await titles(client, q="truss") == ["Structural Analysis"]
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(SearchTerm.doc_freq).where(SearchTerm.term == "trusses")) == 1


def test_text_helpers() -> None:
    assert text.query_tokens('"Machine" NEAR(learn*) -the +AI ~x @y') == ["machine", "learn"]
    assert text.within_one_edit("algorithm", "algoritm")
    assert text.within_one_edit("algorithm", "algorihtm")
    assert not text.within_one_edit("algorithm", "algoirthn")
    assert text.mark("Café <x>", ["cafe"]) == "<mark>Café</mark> &lt;x&gt;"
    assert text.snippet("", ["x"]) == ""


def test_normalize_is_the_same_with_and_without_the_ascii_shortcut() -> None:
    assert text.normalize("Straße ÉCOLE Naïve") == "strasse ecole naive"
    assert text.normalize("Machine LEARNING 101") == "machine learning 101"
    assert text.words("\uff26\uff55llwidth Fluid-Mechanics") == ["fullwidth", "fluid", "mechanics"]


def test_the_snippet_shows_the_densest_cluster_of_matches() -> None:
    filler = " ".join(f"w{n}" for n in range(100))
    body = f"graph early {filler} graph theory graph colouring graph search {filler} graph late"
    snippet = text.snippet(body, ["graph"], width=10)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert snippet.count("<mark>graph</mark>") == 3
    assert "early" not in snippet and "late" not in snippet
    assert text.snippet("one two three", ["zzz"], width=10) == "one two three"


def test_the_snippet_window_counts_whitespace_separated_parts() -> None:
    # Matches inside one part ("pre_graph_graph"), runs of mixed whitespace and a non-ASCII body all
    # place the window by whitespace-separated parts: it starts a quarter of the width before the match.
    words = [f"w{n}" for n in range(60)]
    words[40] = "pre_graph_graph"
    body = "  \n".join(words[:20]) + " \t " + " ".join(words[20:])
    assert text.snippet(body, ["graph"], width=8) == (
        "… w38 w39 pre_<mark>graph</mark>_<mark>graph</mark> w41 w42 w43 w44 w45 …"
    )
    accented = " ".join(["café"] * 30 + ["Grâphe"] + ["thé"] * 30)
    assert text.snippet(accented, ["graphe"], width=4) == "… café <mark>Grâphe</mark> thé thé …"
    assert text.snippet("graph " + " ".join(words), ["graph"], width=4) == "<mark>graph</mark> w0 w1 w2 …"


def test_marks_fall_on_word_starts_in_any_script() -> None:
    assert text.mark("Metadata and data_science, DATABASE", ["data"]) == (
        "Metadata and <mark>data</mark>_science, <mark>DATABASE</mark>"
    )
    assert text.mark("Ǎlgebra naïve (a+b)", ["algebra", "naive", "a"]) == (
        "<mark>Ǎlgebra</mark> <mark>naïve</mark> (<mark>a</mark>+b)"
    )
    assert text.mark("c++ [x] .*", ["x"]) == "c++ [<mark>x</mark>] .*"
    assert text.mark("anything", []) == "anything"
    assert "<mark>Café</mark>" in text.snippet("word " * 50 + "Café crème", ["cafe"], width=10)


async def test_more_title_words_rank_first_and_sorts_break_ties_by_newest(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    rao = await instructor(rt, client)
    stats = await build_course(rt, client, instructor=rao, title="Statistics", description="Data science basics.")
    mining = await build_course(rt, client, instructor=rao, title="Data Mining", description="For science.")
    both = await build_course(rt, client, instructor=rao, title="Science of Data", description="Everything.")
    assert await titles(client, q="science data") == ["Science of Data", "Data Mining", "Statistics"]

    # Popular: most enrolled first; equal counts fall back to the newest (the catalog's order).
    async with rt.sessionmaker() as session, session.begin():
        for fx, count in ((stats, 5), (mining, 9), (both, 5)):
            await session.execute(update(Course).where(Course.id == fx.id).values(enrollment_count=count))
    assert await titles(client, q="data", sort="popular") == ["Data Mining", "Science of Data", "Statistics"]
    first = await search(client, q="data", sort="popular", page_size=2)
    second = await search(client, q="data", sort="popular", page_size=2, page=2)
    assert [c["title"] for c in first["items"] + second["items"]] == ["Data Mining", "Science of Data", "Statistics"]
    assert first["total"] == second["total"] == 3
    assert (await search(client, q="data", page=3, page_size=2))["items"] == []


async def test_mariadb_reads_the_rarest_word_first(rt: Runtime, client: httpx.AsyncClient) -> None:
    """MariaDB intersects the words' document lists in the order written, so the rarest prefix (by the
    vocabulary) goes first there; other engines plan the order themselves. What is found never depends on it."""
    search_service._PREFIX_FREQUENCIES.clear()  # counts cached by earlier tests' data
    rao = await instructor(rt, client)
    for n in range(3):
        await build_course(rt, client, instructor=rao, title=f"Projects Lab {n}", description="A team project.")
    await build_course(rt, client, instructor=rao, title="Project Management", description="Plans and people.")

    async with rt.sessionmaker() as session:
        tokens = ["project", "management", "zzyzx"]
        frequencies = await search_service._prefix_frequencies(session, tokens)
        mariadb = session.bind.dialect.name in ("mysql", "mariadb")
    # Summed over the terms with the prefix: "project" (4 courses) and "projects" (3).
    assert frequencies == {"project": 7, "management": 1, "zzyzx": 0}
    assert search_service._rarest_first(tokens, frequencies) == ["zzyzx", "management", "project"]

    # The search itself sends that order to MariaDB, whichever order the words were typed in.
    sent: list[Any] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if "MATCH" in statement:
            sent.extend(params if isinstance(params, (list, tuple)) else params.values())

    event.listen(rt.engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await titles(client, q="project management") == ["Project Management"]
        assert await titles(client, q="management project") == ["Project Management"]
    finally:
        event.remove(rt.engine.sync_engine, "before_cursor_execute", record)
    if mariadb:
        assert "+management* +project*" in sent and "+project* +management*" not in sent
    assert len(await titles(client, q="project lab")) == 3


@pytest.mark.parametrize("sort", ["newest", "popular", "rating", "price", "price_desc", "title"])
async def test_search_orders_like_the_catalog(rt: Runtime, client: httpx.AsyncClient, sort: str) -> None:
    """Every catalog sort is a search sort too (the web app keeps the sort when a query is typed), with the
    catalog's order, ties included: equal titles, prices and counts fall back to the same tiebreakers."""
    rao = await instructor(rt, client)
    specs: list[dict[str, Any]] = [
        {"title": "Signals Lab", "price": {"amount": 50000, "currency": "INR"}},
        {"title": "Signals Lab", "price": {"amount": 50000, "currency": "INR"}},
        {"title": "Applied Signals", "price": None},
        {"title": "Signals Theory", "price": {"amount": 90000, "currency": "INR"}},
        {"title": "Digital Signals", "price": None},
    ]
    built = [await build_course(rt, client, instructor=rao, lessons=1, **spec) for spec in specs]
    async with rt.sessionmaker() as session, session.begin():
        for fx, count in zip(built, (3, 3, 7, 0, 3), strict=True):
            await session.execute(update(Course).where(Course.id == fx.id).values(enrollment_count=count))
    async with rt.sessionmaker() as session, session.begin():
        mark_changed(session, CATALOG_CACHE)

    catalog = await client.get("/api/v1/courses", params={"sort": sort})
    assert catalog.status_code == 200, catalog.text
    expected = [c["id"] for c in catalog.json()["items"]]
    assert len(expected) == 5
    found = [c["id"] for c in (await search(client, q="signals", sort=sort))["items"]]
    assert found == expected


@pytest.mark.parametrize("q", ["", "the of"])
async def test_a_search_without_words_lists_the_catalog_with_its_facets(
    rt: Runtime, client: httpx.AsyncClient, q: str
) -> None:
    """No words (nothing typed, or only stopwords): every published course, with the same facets, totals and
    order as a word every course matches, read from the catalog groups instead of every course."""
    admin = await signed_in(rt, client, Role.ADMIN)
    cse = (await client.post("/api/v1/categories", json={"name": "CSE"}, headers=admin.headers)).json()
    ece = (await client.post("/api/v1/categories", json={"name": "ECE"}, headers=admin.headers)).json()
    rao = await instructor(rt, client)
    paid = {"amount": 49900, "currency": "INR"}
    specs: list[dict[str, Any]] = [
        {"title": "Signals", "category_id": ece["id"], "level": "advanced", "price": paid},
        {"title": "Compilers", "category_id": cse["id"], "level": "advanced", "language": "te"},
        {"title": "Databases", "category_id": cse["id"], "level": "beginner", "price": paid},
        {"title": "Study Skills"},  # uncategorized
        {"title": "Networks", "category_id": cse["id"], "language": "te", "price": paid},
    ]
    for spec in specs:
        await build_course(rt, client, instructor=rao, lessons=1, **spec)
    await build_course(rt, client, instructor=rao, lessons=1, title="Draft", category_id=cse["id"], published=False)

    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    filter_sets: list[dict[str, Any]] = [
        {},
        {"category": cse["slug"]},
        {"category": cse["id"], "level": "advanced"},
        {"language": "te", "price": "paid"},
        {"price": "free", "sort": "title"},
        {"sort": "price_desc", "page": 2, "page_size": 2},
        {"category": "no-such-category"},
    ]
    for filters in filter_sets:
        statements.clear()
        event.listen(rt.engine.sync_engine, "before_cursor_execute", record)
        try:
            browsed = await search(client, q=q, **filters)
        finally:
            event.remove(rt.engine.sync_engine, "before_cursor_execute", record)
        # The catalog's path: its groups, and no statement reading the search documents for matches.
        assert any("catalog_groups" in st for st in statements), filters
        assert not any("FROM course_search" in st for st in statements), filters
        # "lesson" is in every course (its lesson titles): the full-text path over the same courses.
        matched = await search(client, q="lesson", **({"sort": "newest"} | filters))
        assert browsed["total"] == matched["total"], filters
        assert browsed["facets"] == matched["facets"], filters
        assert [c["id"] for c in browsed["items"]] == [c["id"] for c in matched["items"]], filters

    everything = await search(client, q=q)
    assert everything["total"] == 5 and "Draft" not in {c["title"] for c in everything["items"]}
    assert everything["facets"]["category"] == [
        {"value": cse["slug"], "label": "CSE", "count": 3},
        {"value": ece["slug"], "label": "ECE", "count": 1},
    ]
    assert {f["value"]: f["count"] for f in everything["facets"]["price"]} == {"free": 2, "paid": 3}
    narrowed = await search(client, q=q, category=cse["slug"], language="te")
    assert {c["title"] for c in narrowed["items"]} == {"Compilers", "Networks"}
    assert {f["value"]: f["count"] for f in narrowed["facets"]["language"]} == {"en": 1, "te": 2}
    assert narrowed["items"][0]["highlight"]["title"] == narrowed["items"][0]["title"]  # nothing to mark


async def test_one_pass_and_two_passes_give_the_same_answers(
    rt: Runtime, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search either reads every match and counts, sorts and pages them in Python (MariaDB, SQLite), or asks
    the database for the facet groups and then the page in the same order (PostgreSQL). Both answer alike
    on every backend: totals, facets, and the order with all its tiebreakers."""
    admin = await signed_in(rt, client, Role.ADMIN)
    cse = (await client.post("/api/v1/categories", json={"name": "CSE"}, headers=admin.headers)).json()
    ece = (await client.post("/api/v1/categories", json={"name": "ECE"}, headers=admin.headers)).json()
    rao = await instructor(rt, client)
    paid = {"amount": 50000, "currency": "INR"}
    specs: list[dict[str, Any]] = [
        {"title": "Signals Lab", "price": paid, "category_id": ece["id"]},
        {"title": "Signals Lab", "price": paid, "category_id": ece["id"]},
        {"title": "Applied Signals", "description": "Signals and signals again.", "category_id": cse["id"]},
        {"title": "Signals Theory", "price": {"amount": 90000, "currency": "INR"}, "language": "te"},
        {"title": "Digital Signals", "level": "advanced", "category_id": cse["id"]},
        {"title": "C Programming", "description": "Signals in C.", "level": "beginner"},
        {"title": "Circuits", "description": "No match here."},
    ]
    built = [await build_course(rt, client, instructor=rao, lessons=1, **spec) for spec in specs]
    async with rt.sessionmaker() as session, session.begin():
        counts = [(3, 450), (3, 450), (7, 300), (0, 450), (3, 0), (1, 500), (9, 100)]
        for fx, (count, rating) in zip(built, counts, strict=True):
            await session.execute(
                update(Course).where(Course.id == fx.id).values(enrollment_count=count, rating_average=rating)
            )
        # A document without a publication date sorts after every dated one, on either path.
        await session.execute(
            update(CourseSearch).where(CourseSearch.course_id == built[4].id).values(published_at=None)
        )
        mark_changed(session, CATALOG_CACHE)

    real = search_service._two_passes
    monkeypatch.setattr(rt.catalog_cache, "ttl", 0)  # every answer computed, none reused from the other path
    queries: list[dict[str, Any]] = [
        {"q": "signals"},
        {"q": "signals", "category": cse["slug"]},
        {"q": "signals", "price": "paid", "language": "en"},
        {"q": "signals", "level": "advanced"},
        {"q": "lab signals"},
        {"q": "C"},  # a short word: title words, no rank
        {"q": "signals", "min_price": 1, "max_price": 60000},
        {"q": "signals", "instructor": rao.user.id},
    ]
    sorts = ["relevance", "newest", "popular", "rating", "price", "price_desc", "title"]
    for params in queries:
        for sort in sorts:
            for page in (1, 2, 3):
                asked = params | {"sort": sort, "page": page, "page_size": 2}
                answers = []
                for two in (False, True):
                    monkeypatch.setattr(search_service, "_two_passes", lambda *args, two=two: two)
                    body = await search(client, **asked)
                    answers.append((body["total"], body["facets"], [c["id"] for c in body["items"]]))
                assert answers[0] == answers[1], asked
    monkeypatch.setattr(search_service, "_two_passes", real)
    everything = await search(client, q="signals", sort="newest", page_size=10)
    assert everything["total"] == 6
    assert everything["items"][-1]["id"] == built[4].id  # undated last
