from archive.readers.textmeta import head_metadata

NEWS = """THE MESHAN COURIER | NATIONAL | 14 January 2025

Halvara begins filling Karsul reservoir as Azrun flow at border halves

By Nadia Haddad-Rowe, Water & Environment Correspondent, Marsa Halim

Halvara has closed the diversion tunnel gates at the Karsul Dam and started the first filling of its
reservoir, cutting the flow of the Azrun River at the Sufrati border by almost half within two days.
"""

STATEMENT = """KINGDOM OF SUFRAT
MINISTRY OF FOREIGN AFFAIRS
Office of the Spokesperson

STATEMENT No. 14/2025
Marsa Halim, 3 February 2025

Statement by H.E. Sha'ban al-Ma'rufi, Minister of Foreign Affairs, on the impoundment of the Azrun River

1. The Ministry of Foreign Affairs of the Kingdom of Sufrat notes with grave concern that
the Republic of Halvara has begun to fill the reservoir behind the Karsul Dam this week.
"""

TRANSCRIPT = """THE BASIN HOUR — Episode 31
"The mediator": a conversation with Annelise Korvath
Azrun Monitor podcast | Recorded 5 December 2025, Valmorra | Released 9 December 2025
Host: Dalia Mansour
Guest: Annelise Korvath, Special Envoy of the Secretary-General of the Assembly of Nations for the Azrun Basin
[Transcript edited lightly for clarity.]
"""


def test_news_masthead_headline_byline_and_date():
    meta = head_metadata(NEWS)
    assert meta.title == "Halvara begins filling Karsul reservoir as Azrun flow at border halves"
    assert (meta.author, meta.date, meta.source) == ("Nadia Haddad-Rowe", "2025-01-14", "The Meshan Courier")


def test_statement_title_skips_letterhead_and_dateline():
    meta = head_metadata(STATEMENT)
    assert meta.title.startswith("Statement by H.E. Sha'ban al-Ma'rufi")
    assert (meta.date, meta.source) == ("2025-02-03", "Kingdom of Sufrat")


def test_transcript_skips_labels_and_brackets():
    meta = head_metadata(TRANSCRIPT)
    assert meta.title == '"The mediator": a conversation with Annelise Korvath'
    assert meta.source == "The Basin Hour — Episode 31"


def test_plain_first_line_title_and_nothing_invented():
    meta = head_metadata("Iran’s Careful Balance: Backing Hamas\n\n" + "A long first paragraph. " * 30)
    assert meta.title == "Iran’s Careful Balance: Backing Hamas"
    assert (meta.author, meta.date, meta.source) == (None, None, None)
