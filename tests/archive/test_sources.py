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
