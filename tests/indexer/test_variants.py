import json

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from indexer.analysis import analyze, text_analyzer
from indexer.query import QueryParser
from indexer.variants import VariantFinder, alike, phonetic_key, variant_groups
from tests.conftest import REPO

FIXTURE = json.loads((REPO / "tests/fixtures/name_variants.json").read_text())


def folded(name):
    return [term for term, _, _ in analyze(name, mode="query")]


def linked(a: str, b: str) -> bool:
    return phonetic_key(a) == phonetic_key(b) and alike(a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("qahtan", "ghahtan"),
        ("barudi", "baroudi"),
        ("ziyad", "ziad"),
        ("kassab", "qassab"),
        ("hezbollah", "hizbullah"),
        ("muayyad", "moayyad"),
        ("qaani", "ghaani"),
        ("marufi", "maroufi"),
    ],
)
def test_spelling_variants_are_linked(a, b):
    assert linked(a, b) and linked(b, a)


@pytest.mark.parametrize("a, b", FIXTURE["distinct"])
def test_different_names_and_words_are_not_linked(a, b):
    assert not linked(folded(a)[0], folded(b)[0])


@pytest.fixture(scope="module")
def finder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vocabulary")
    schema = Schema(
        id=ID(stored=True), text=TEXT(analyzer=text_analyzer()), title=TEXT(analyzer=text_analyzer())
    )
    ix = index.create_in(folder, schema)
    writer = ix.writer()
    for number, group in enumerate(FIXTURE["groups"]):
        for spelling in group:
            writer.add_document(id=f"{number}", text=f"{spelling} said the board would meet on water tariffs")
    writer.commit()
    found = VariantFinder()
    with ix.searcher() as searcher:
        found.refresh(searcher.reader(), 1)
    return found


def test_capitalised_names_widen_to_their_variants_and_ordinary_words_do_not(finder):
    parser = QueryParser(Schema(text=TEXT(analyzer=text_analyzer()), title=TEXT(analyzer=text_analyzer())))
    parsed = parser.parse("Ghahtan water")
    expanded = finder.expand(parsed.keyword, parsed.names)
    terms = {(leaf.fieldname, leaf.text, leaf.boost) for leaf in expanded.leaves()}
    assert ("text", "qahtan", 0.5) in terms and ("text", "ghahtan", 1.0) in terms
    assert not any(text in ("waiter", "wader") for _, text, _ in terms)


def test_run_together_and_article_forms_are_split(finder):
    assert ["ansar", "allah"] in finder.splits("ansarallah")
    assert ["qassam"] in finder.splits("alqassam")


def test_short_names_link_only_through_transliteration_rules():
    assert linked("ziyad", "ziad") and linked("musa", "mousa")
    assert not linked("sarea", "sara") and not linked("sara", "sarea")


def test_widened_names_are_listed_and_exact_terms_are_left_alone(finder):
    parser = QueryParser(Schema(text=TEXT(analyzer=text_analyzer()), title=TEXT(analyzer=text_analyzer())))
    parsed = parser.parse('"Ghaani" OR Ghahtan')
    assert parsed.exact == {"ghaani"}
    groups = variant_groups(finder.expand(parsed.keyword, parsed.names, parsed.exact))
    assert groups == [("ghahtan", ["qahtan"])], groups
    plain = parser.parse("Ghaani")
    assert plain.exact == set()
    assert variant_groups(finder.expand(plain.keyword, plain.names)) == [("ghaani", ["qaani"])]
