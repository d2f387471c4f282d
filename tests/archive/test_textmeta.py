import pytest

from archive.readers.textmeta import head_metadata, merge

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

BODY = "\n\n" + "The talks resumed on Monday after a week of quiet contacts between the delegations. " * 4


def test_news_masthead_headline_byline_and_date():
    meta = head_metadata(NEWS)
    assert meta.title == "Halvara begins filling Karsul reservoir as Azrun flow at border halves"
    assert (meta.author, meta.date, meta.source) == ("Nadia Haddad-Rowe", "2025-01-14", "The Meshan Courier")


def test_statement_title_skips_letterhead_and_dateline():
    meta = head_metadata(STATEMENT)
    assert meta.title.startswith("Statement by H.E. Sha'ban al-Ma'rufi")
    assert (meta.date, meta.source) == ("2025-02-03", "Kingdom of Sufrat")


def test_transcript_programme_without_episode_host_and_release_date():
    meta = head_metadata(TRANSCRIPT)
    assert meta.title == '"The mediator": a conversation with Annelise Korvath'
    assert (meta.source, meta.author, meta.date) == ("The Basin Hour", "Dalia Mansour", "2025-12-09")


def test_plain_first_line_title_and_nothing_invented():
    meta = head_metadata("Iran’s Careful Balance: Backing Hamas\n\n" + "A long first paragraph. " * 30)
    assert meta.title == "Iran’s Careful Balance: Backing Hamas"
    assert (meta.author, meta.date, meta.source) == (None, None, None)


@pytest.mark.parametrize(
    ("line", "author", "date"),
    [
        ("By Priya Raman · 27 January 2026", "Priya Raman", "2026-01-27"),
        ("By Jane Analyst · Senior Fellow · 12 December 2023", "Jane Analyst", "2023-12-12"),
        ("By Jane Analyst · … · 12 December 2023", "Jane Analyst", "2023-12-12"),
        ("**By Priya Raman · 27 January 2026**", "Priya Raman", "2026-01-27"),
        ("*By Dalia Mansour, Azrun Monitor — 10 March 2025*", "Dalia Mansour", "2025-03-10"),
        ("By Nadia Haddad-Rowe and Omar Lahlou", "Nadia Haddad-Rowe; Omar Lahlou", None),
        ("BY KARIM ZOUBI, Marsa Halim", "KARIM ZOUBI", None),
        ("Written by Mei-Lin Ostrander | March 3, 2026", "Mei-Lin Ostrander", "2026-03-03"),
        ("By Dr. Hala Kassab (Sufrat Water Authority)", "Dr. Hala Kassab", None),
        ("Author: Farah Idrissi", "Farah Idrissi", None),
        ("Lead researcher: Farah Idrissi", "Farah Idrissi", None),
    ],
)
def test_byline_shapes(line, author, date):
    meta = head_metadata(f"A headline about the river\n\n{line}{BODY}")
    assert (meta.author, meta.date) == (author, date), line


@pytest.mark.parametrize(
    "line",
    ["By the time the gates closed, the river had fallen", "by 2030", "By train from Kelvand to Valmorra"],
)
def test_by_that_is_not_a_byline(line):
    assert head_metadata(f"A headline about the river\n\n{line}{BODY}").author is None, line


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Published: 24 September 2025", "2025-09-24"),
        ("Published: Sept. 3rd, 2025", "2025-09-03"),
        ("Date: 12 November 2025, 10:00–16:45 (Valmorra time)", "2025-11-12"),
        ("Released: 2026-03-03", "2026-03-03"),
        ("Marsa Halim, 3 February 2025", "2025-02-03"),
        ("Diplomacy | Tuesday 24 February 2026", "2026-02-24"),
        ("Breaking | Monday 5 October 2026, 13:40", "2026-10-05"),
        ("Podcast | Recorded 5 December 2025 | Released 9 December 2025", "2025-12-09"),
    ],
)
def test_date_lines(line, date):
    assert head_metadata(f"A headline about the river\n\n{line}{BODY}").date == date, line


def test_publication_line_name_publication_date():
    text = f"A headline about the river\n\nStrata Risk Intelligence | Azrun Dossier | 8 April 2026{BODY}"
    meta = head_metadata(text)
    assert (meta.author, meta.source, meta.date) == (
        "Strata Risk Intelligence",
        "Azrun Dossier",
        "2026-04-08",
    )


def test_byline_with_publication_and_date():
    meta = head_metadata(f"A headline\n\nBy Tomas Ferreira | Azrun Monitor | 5 November 2026{BODY}")
    assert (meta.author, meta.source, meta.date) == ("Tomas Ferreira", "Azrun Monitor", "2026-11-05")


def test_publication_line_in_the_footer_fills_what_the_head_lacks():
    footer = [
        "Azrun Dossier Jund al-Azrun Commander",
        "Strata Risk Intelligence | Azrun Dossier | 8 April 2026",
    ]
    meta = head_metadata(f"Khor Daffa's Careful Escalation{BODY}", footer)
    assert meta.title == "Khor Daffa's Careful Escalation"
    assert (meta.author, meta.source, meta.date) == (
        "Strata Risk Intelligence",
        "Azrun Dossier",
        "2026-04-08",
    )


def test_head_wins_over_footer():
    footer = ["Strata Risk Intelligence | Azrun Dossier | 8 April 2026"]
    meta = head_metadata(f"A headline\n\nBy Priya Raman · 27 January 2026{BODY}", footer)
    assert (meta.author, meta.date, meta.source) == ("Priya Raman", "2026-01-27", "Azrun Dossier")


def test_dateline_with_agency_takes_its_year_from_the_head():
    text = (
        "Prisoners exchanged at Qasr Tamin\n\nPublished: 27 April 2026, 14:05 UTC\n\n"
        "KELVAND, April 27 (Basin Wire) — Halvara and Sufrat exchanged 26 detainees at the border post on "
        "Monday, the first such swap since the water dispute began, in a deal brokered by the envoy's office."
    )
    meta = head_metadata(text)
    assert (meta.source, meta.date) == ("Basin Wire", "2026-04-27")


def test_dateline_without_a_year_gives_no_date():
    text = (
        "Prisoners exchanged\n\nKELVAND, April 27 (Basin Wire) - Halvara and Sufrat exchanged 26 "
        "detainees at the border post on Monday, the first such swap since the water dispute began, "
        "in a deal brokered by the envoy's office."
    )
    meta = head_metadata(text)
    assert (meta.source, meta.date) == ("Basin Wire", None)


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Azrun Monitor · Verify desk", "Azrun Monitor"),
        ("Basin Rights Watch — Report summary", "Basin Rights Watch"),
        ("Riverkeepers of Azrun · Monitoring bulletin No. 9", "Riverkeepers of Azrun"),
    ],
)
def test_publication_with_desk_or_series(line, source):
    assert head_metadata(f"Field Notes from the Azrun Delta — July 2026\n\n{line}{BODY}").source == source


def test_headline_with_a_dash_is_the_title_not_a_source():
    meta = head_metadata(f"Field Notes from the Azrun Delta — July 2026{BODY}")
    assert (meta.title, meta.source) == ("Field Notes from the Azrun Delta — July 2026", None)


def test_unmarked_byline_below_the_headline():
    meta = head_metadata(
        f"AZRUN MONITOR\n\nDelphine Arrow crew freed after 18 days\n\nTomas Ferreira, Ras Numan{BODY}"
    )
    assert (meta.source, meta.author) == ("Azrun Monitor", "Tomas Ferreira")


def test_merge_keeps_file_fields_and_says_where_each_came_from():
    found = head_metadata(f"A headline\n\nBy Priya Raman · 27 January 2026{BODY}")
    merged = merge({"title": "Page title", "author": "Desk", "date": "2026-01-28", "source": None}, found)
    assert merged["author"] == "Desk" and merged["date"] == "2026-01-28"
    assert merged["provenance"] == {"title": "file", "author": "file", "date": "file"}
    wins = merge({"author": "Newsletters", "date": "2026-01-28"}, found, text_wins=("author", "date"))
    assert (wins["author"], wins["date"]) == ("Priya Raman", "2026-01-27")
    assert wins["provenance"] == {"author": "byline", "date": "byline", "title": "byline"}
