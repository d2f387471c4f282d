import pytest

from indexer.analysis import analyze, fold


def terms(text, mode="index"):
    return [term for term, _, _ in analyze(text, mode=mode)]


@pytest.mark.parametrize("spelling", ["Qāʾānī", "Qa'ani", "Qa’ani", "Qaani", "QAANI"])
def test_transliteration_marks_and_diacritics_fold_to_one_term(spelling):
    assert terms(spelling) == ["qaani"]


def test_possessive_is_dropped_and_stop_words_removed():
    assert terms("Hamas’s fighters said what the envoy did") == ["hama", "fighter", "said", "envoi"]


@pytest.mark.parametrize("spelling", ["al-Qassam", "alQassam", "Al Qassam", "al Qassam", "AL-QASSAM"])
def test_arabic_article_variants_all_yield_the_name(spelling):
    assert "qassam" in terms(spelling)


def test_joined_names_are_split_and_kept_whole_in_the_index_only():
    assert terms("AnsarAllah") == ["ansarallah", "ansar", "allah"]
    assert terms("AnsarAllah", mode="query") == ["ansar", "allah"]
    assert terms("Ansar Allah") == ["ansar", "allah"]


def test_offsets_point_at_the_words_in_the_original_text():
    text = "Commander Qāʾānī met al-Qassam’s envoy"
    for term, start, end in analyze(text):
        assert fold(text[start:end]).startswith(term[:3]) or term in fold(text[start:end])


def test_positions_skip_stop_words_so_phrases_match_across_them():
    from indexer.analysis import text_analyzer

    tokens = [
        (t.text, t.pos) for t in text_analyzer()("we will not enter the war", positions=True, mode="index")
    ]
    assert tokens == [("enter", 0), ("war", 1)]


def test_arabic_script_is_transliterated():
    assert terms("قاآنی") == terms("قاآني")
    assert terms("قاآنی")[0].startswith("qa")
