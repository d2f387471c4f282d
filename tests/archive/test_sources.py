import pytest

from archive.sources import SourceNames, clean_source, pick_source, same_source, source_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("The Meshan Courier", "The Meshan Courier"),
        ("THE MESHAN COURIER", "The Meshan Courier"),
        ("LE COURRIER DE VALMORRA — English Edition", "Le Courrier de Valmorra"),
        ("The Basin Hour — Episode 31", "The Basin Hour"),
        ("Azrun Monitor · Verify desk", "Azrun Monitor"),
        ("Corvane Maritime Lines — Marine Security Desk", "Corvane Maritime Lines"),
        ("www.MeshanCourier.example", "meshancourier.example"),
        ("WaterBridge International launches €6.2 million appeal", None),
        ("Halvara begins filling Karsul reservoir as Azrun flow at border halves", None),
        ("Who are Jund al-Azrun?", None),
        ("of the river", None),
        ("", None),
        (None, None),
    ],
)
def test_clean_source(value, expected):
    assert clean_source(value) == expected, value


def test_a_named_field_may_hold_lower_case_words_but_not_a_headline():
    assert clean_source("Field desk", strict=False) == "Field desk"
    assert clean_source("Field desk") is None
    assert clean_source("Cholera spreads as WaterBridge launches €6.2 million appeal", strict=False) is None


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("meshancourier.example", "The Meshan Courier", True),
        ("https://www.gulfledger.example/shipping/x", "Gulf Ledger", True),
        ("waterbridge.example", "WaterBridge International", True),
        ("THE MESHAN COURIER", "The Meshan Courier", True),
        ("halvaratoday.example", "Azrun Monitor", False),
        ("aa.example", "Aalborg Times", False),  # a short label matches only exactly
        ("Azrun Monitor", "Azrun Monitor podcast", False),  # only a domain matches by prefix
    ],
)
def test_same_source(first, second, same):
    assert same_source(first, second) is same, (first, second)


def test_source_key_folds_diacritics_case_and_the():
    assert (
        source_key("Le Courrier de Valmorra")
        == source_key("LE COURRIER DE VALMORRA")
        == "lecourrierdevalmorra"
    )
    assert source_key("The Meshan Courier") == source_key("meshancourier.example") == "meshancourier"


def test_pick_source_prefers_the_name_matching_the_domain():
    url = "https://waterbridge.example/press/2025-07-29-sufrat-cholera-appeal"
    headline_part = "WaterBridge International launches €6.2 million appeal"
    assert pick_source([headline_part, "WaterBridge International"], url) == "WaterBridge International"
    assert pick_source(["meshancourier.example", "The Meshan Courier"], None) == "The Meshan Courier"
    assert (
        pick_source(["Some Other Name", "Halvara Today"], "https://halvaratoday.example/en/")
        == "Halvara Today"
    )
    assert pick_source([headline_part], url) == "waterbridge.example"
    assert pick_source([None, ""], None) is None


def test_source_names_map_spellings_and_domains_to_one_name():
    names = SourceNames(["The Meshan Courier", "Basin Wire"])
    assert names.canonical("meshancourier.example") == "The Meshan Courier"
    assert names.canonical("THE MESHAN COURIER") == "The Meshan Courier"
    assert names.canonical("WaterBridge International launches €6.2 million appeal") is None
    assert names.canonical("halvaratoday.example") == "halvaratoday.example"
    assert names.canonical("Halvara Today") == "Halvara Today"  # a name replaces a known domain
    assert names.canonical("halvaratoday.example") == "Halvara Today"


def test_ingest_stores_a_domain_under_the_publication_name_the_archive_knows(settings, tmp_path):
    from archive import operations
    from archive.store import Archive
    from tests.conftest import ingest

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a-courier.txt").write_text(
        "THE MESHAN COURIER | NATIONAL | 14 January 2025\n\nReservoir filling begins\n\n"
        + "The gates of the dam closed on Sunday and the river fell by half within two days. " * 5,
        encoding="utf-8",
    )
    (folder / "b-page.html").write_text(
        '<html><head><link rel="canonical" href="https://www.meshancourier.example/national/flood">'
        "</head><body><article><h1>Flood</h1><p>"
        + "The spillway gates opened at night and the water reached the villages before dawn. " * 5
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    (folder / "c-wire.jsonl").write_text(
        '{"id": "w1", "title": "Wire", "text": "Talks resume in the capital next week.", '
        '"source": "Field desk"}\n',
        encoding="utf-8",
    )
    report = ingest(settings, folder)
    assert report.failed == [], report.failed
    with Archive(settings) as archive:
        documents = operations.list_documents(archive)["documents"]
    sources = {d["title"]: d["source"] for d in documents}
    assert sources == {
        "Reservoir filling begins": "The Meshan Courier",
        "Flood": "The Meshan Courier",
        "Wire": "Field desk",
    }, sources
