from hypothesis import given, settings
from hypothesis import strategies as st

from archive.chunking import chunk_text, sentence_spans
from archive.config import ChunkSettings

WORDS = st.sampled_from(
    [
        "Qaani",
        "said",
        "the",
        "dam",
        "Mr.",
        "U.S.",
        "envoy",
        "“quoted”",
        "war.",
        "Gen.",
        "ʿAbd",
        "al-Qassam",
        "7",
        "October.",
        "What?",
        "yes!",
        "…",
        "e.g.",
        "reservoir",
        "AnsarAllah",
    ]
)
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "  ", "\t", "\n \n"])


@st.composite
def documents(draw):
    parts = draw(st.lists(st.tuples(WORDS, SEPARATORS), min_size=0, max_size=700))
    return "".join(word + sep for word, sep in parts)


@settings(max_examples=200, deadline=None)
@given(documents(), st.integers(20, 120), st.integers(0, 30))
def test_chunk_offsets_reproduce_text_and_cover_every_word(text, target, overlap):
    config = ChunkSettings(
        target_words=target, overlap_words=min(overlap, target // 2), max_words=target + 20
    )
    chunks = chunk_text(text, config)
    covered = [False] * len(text)
    for number, chunk in enumerate(chunks):
        assert chunk.ordinal == number
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert len(chunk.text.split()) <= config.max_words + config.overlap_words + config.target_words
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    assert all(covered[i] for i, char in enumerate(text) if not char.isspace())
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)


@settings(max_examples=100, deadline=None)
@given(st.lists(documents(), min_size=1, max_size=4))
def test_pages_are_hard_boundaries(pages_text):
    text, pages = "", []
    for page in pages_text:
        pages.append((len(text), len(text) + len(page)))
        text += page + "\n\n"
    chunks = chunk_text(text, ChunkSettings(target_words=40, overlap_words=5, max_words=60), pages)
    for chunk in chunks:
        start, end = pages[chunk.page - 1]
        assert start <= chunk.start and chunk.end <= end
        assert text[chunk.start : chunk.end] == chunk.text


def test_windows_are_about_target_words_with_overlap_and_paragraph_numbers():
    paragraph = " ".join(f"Sentence number {i} talks about the reservoir and the envoy." for i in range(12))
    text = "\n\n".join([paragraph] * 5)
    chunks = chunk_text(text, ChunkSettings(target_words=100, overlap_words=20, max_words=150))
    assert len(chunks) > 4
    for chunk in chunks:
        assert 40 <= len(chunk.text.split()) <= 100
    # consecutive chunks overlap by whole sentences
    overlapping = [a for a, b in zip(chunks, chunks[1:], strict=False) if b.start < a.end]
    assert overlapping
    for a, b in zip(chunks, chunks[1:], strict=False):
        if b.start < a.end:
            assert text[b.start : a.end].rstrip().endswith(".")
    assert chunks[0].paragraph == 1 and chunks[-1].paragraph == 5


def test_sentence_longer_than_the_window_is_cut_but_others_are_not():
    long_sentence = " ".join(["word"] * 500) + "."
    text = "A short opening sentence. " + long_sentence + " A short closing sentence."
    chunks = chunk_text(text, ChunkSettings(target_words=200, overlap_words=0, max_words=250))
    assert all(len(c.text.split()) <= 250 for c in chunks)
    assert chunks[0].text.startswith("A short opening sentence.")
    assert chunks[-1].text.endswith("A short closing sentence.")


def test_sentences_respect_abbreviations_initials_and_quotes():
    text = (
        'Maj. Gen. Esmail Qaani met Mr. J. Smith in the U.S. on Monday. "We will not enter the war," '
        "he said. Talks resumed!\n- first item\n- second item"
    )
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences[0] == "Maj. Gen. Esmail Qaani met Mr. J. Smith in the U.S. on Monday."
    assert sentences[1] == '"We will not enter the war," he said.'
    assert sentences[2] == "Talks resumed!"
    assert sentences[3:] == ["- first item", "- second item"]
