"""Rebuild the generated (non-hand-written) files of the sample collection.

Needs only the standard library and python-docx:

    .venv/bin/python docs/corpus_build.py

It writes, under corpus/:
  reports/2025-10-23-valmorra-proximity-talks-readout.docx
  statements/2026-06-11-sufrat-water-authority-ras-numan-desalination.docx
  correspondence/2026-01-19-corvane-war-risk-premium.eml  (with a .txt attachment)
  wire/feed.jsonl  (Basin Wire feed, 5 records)
  news/2026-02-24-valmorra-talks-collapse.txt is hand-written but stored in
  windows-1252; it is not regenerated here.

The two PDFs (reports/2026-02-02-meridian-beyond-the-gates.pdf and
statements/2026-05-20-kelvand-interim-framework-joint-statement.pdf) were made
with fpdf2 in a scratch environment and are not rebuilt by this script.
Everything in the collection is fictional; see docs/CORPUS.md.
"""
from __future__ import annotations

import datetime as dt
import json
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


# --------------------------------------------------------------------------- DOCX

def _docx(path: Path, title: str, author: str, created: dt.datetime,
          blocks: list[tuple[str, str]], subject: str = "", keywords: str = "") -> None:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for kind, text in blocks:
        if kind == "title":
            doc.add_heading(text, level=0)
        elif kind == "h1":
            doc.add_heading(text, level=1)
        elif kind == "h2":
            doc.add_heading(text, level=2)
        elif kind == "bullet":
            doc.add_paragraph(text, style="List Bullet")
        elif kind == "number":
            doc.add_paragraph(text, style="List Number")
        elif kind == "quote":
            p = doc.add_paragraph(text)
            p.paragraph_format.left_indent = Pt(24)
            for r in p.runs:
                r.italic = True
        elif kind == "small":
            p = doc.add_paragraph(text)
            for r in p.runs:
                r.font.size = Pt(9)
        else:
            doc.add_paragraph(text)
    cp = doc.core_properties
    cp.title = title
    cp.author = author
    cp.last_modified_by = author
    cp.created = created
    cp.modified = created
    cp.subject = subject
    cp.keywords = keywords
    cp.language = "en"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


READOUT = [
    ("small", "ASSEMBLY OF NATIONS — OFFICE OF THE SPECIAL ENVOY OF THE SECRETARY-GENERAL FOR THE AZRUN BASIN"),
    ("title", "Readout: First round of Azrun proximity talks"),
    ("p", "Valmorra, Estrel, 21–23 October 2025 — issued 23 October 2025, 21:00"),
    ("p", "At the invitation of the Special Envoy of the Secretary-General for the Azrun Basin, Ms Annelise "
          "Korvath, delegations of the Republic of Halvara and the Kingdom of Sufrat met in Valmorra from 21 to 23 "
          "October 2025 for a first round of proximity talks on the management of the Azrun River. The talks were "
          "hosted by the Government of Estrel at the Hôtel Lacombe. The Halvaran delegation was led by Deputy "
          "Foreign Minister Nasrin Ghaffari; the Sufrati delegation by Ambassador Nabil Darwazeh, Secretary-General "
          "of the Ministry of Foreign Affairs."),
    ("p", "In keeping with the proximity format, the delegations sat in separate rooms for most of the three days. "
          "The Special Envoy and her team carried proposals between them. On the afternoon of 23 October, the two "
          "heads of delegation met face to face for the first time, in the presence of the Envoy, for 75 minutes."),
    ("h1", "What the parties agreed"),
    ("p", "The parties agreed on the following confidence-building measures, which take effect on 1 November 2025 "
          "and will remain in force pending a comprehensive arrangement:"),
    ("number", "Data exchange. Hourly water-level and discharge data from three stations — the Karsul Dam "
               "tailrace and Pol-e Zard in Halvara, and Qasr Tamin in Sufrat — will be transmitted automatically to a "
               "shared server administered by the Office of the Special Envoy, and made visible to both parties in "
               "real time."),
    ("number", "Joint Technical Committee. A Joint Technical Committee of four engineers from each side, chaired "
               "by a non-voting adviser from the Office of the Special Envoy, will meet at least monthly. Its first "
               "meeting will take place on 4 November 2025."),
    ("number", "Advance notice. The operator of the Karsul Dam will give the Sufrat Water Authority not less than "
               "six hours' notice of any major operational change, defined as the operation of the spillway gates "
               "or any change in total release of more than 20 per cent within 24 hours. A dedicated hotline will "
               "link the Karsul control room and the Qasr Tamin station."),
    ("number", "Humanitarian access. Both parties will facilitate the work of humanitarian organisations "
               "responding to water-related emergencies in the basin, including the current cholera response in "
               "southern Sufrat."),
    ("h1", "What remains open"),
    ("p", "The parties did not reach agreement on a guaranteed minimum release from the Karsul Dam, on the "
          "duration of the filling of the reservoir, or on the legal status of the Azrun Waters Protocol of 1958. "
          "The Sufrati delegation asked that the situation of persons displaced from the reservoir area be placed "
          "on the agenda; the Halvaran delegation considered that this matter falls within Halvara's domestic "
          "jurisdiction. The Special Envoy has taken note of both positions."),
    ("p", "The Halvaran delegation raised the security of shipping in the Tamar Narrows and the activities of "
          "armed groups on Sufrati territory. The Sufrati delegation stated that maritime security is a matter for "
          "the Kingdom's own forces. Both delegations condemned attacks on civilian infrastructure and shipping."),
    ("h1", "Statement by the Special Envoy"),
    ("quote", "“This is a modest beginning, and it is meant to be. For fourteen years, the engineers who run this "
              "river have not been allowed to speak to each other. From the first of November they will look at "
              "the same numbers at the same time. Trust on a river is built the way a dam is built: one layer at a "
              "time, and it has to cure before you put weight on it.”"),
    ("p", "The Special Envoy thanked the Government of Estrel for its hospitality and both delegations for their "
          "constructive engagement. She intends to convene a second round of talks in the first quarter of 2026, "
          "informed by the work of the Joint Technical Committee."),
    ("h2", "Next steps"),
    ("bullet", "1 November 2025: data exchange and advance-notice arrangement take effect."),
    ("bullet", "4 November 2025: first meeting of the Joint Technical Committee (Valmorra, hybrid)."),
    ("bullet", "December 2025: Special Envoy to visit Kelvand and Marsa Halim."),
    ("bullet", "Q1 2026: second round of talks, venue to be confirmed."),
    ("small", "Office of the Special Envoy for the Azrun Basin, Valmorra. Media: spokesperson, Office of the Special "
              "Envoy. This readout reflects the Special Envoy's understanding and is not an agreed text."),
]

DESAL = [
    ("small", "SUFRAT WATER AUTHORITY — PRESS RELEASE"),
    ("title", "Work begins on Ras Numan desalination plant, Sufrat's largest water project in half a century"),
    ("p", "Ras Numan, 11 June 2026"),
    ("p", "Prime Minister Adnan Suhaymi yesterday laid the foundation stone of the Ras Numan Seawater "
          "Desalination Plant, which will produce 250,000 cubic metres of drinking water a day when its first phase "
          "is completed in 2028 — enough for about 1.9 million people in Ras Numan and the coastal districts."),
    ("p", "The reverse-osmosis plant, on a 42-hectare site on the southern breakwater of Ras Numan port, is the "
          "largest investment in water supply in the Kingdom since the construction of the Marsa Halim aqueduct in "
          "1979. Its total cost is estimated at US$610 million."),
    ("h1", "Financing"),
    ("bullet", "US$350 million long-term loan from the Meshan Development Bank;"),
    ("bullet", "US$160 million from the State budget over four years;"),
    ("bullet", "US$100 million raised through the Kingdom's first green water bond, issued in May and "
               "oversubscribed 2.6 times."),
    ("p", "The plant will be built and operated for 25 years by the Aquenta–Sahil consortium, selected after an "
          "international tender in which five bidders took part. Ownership will transfer to the Sufrat Water "
          "Authority at the end of the concession."),
    ("h1", "Energy and environment"),
    ("p", "The plant will need about 55 megawatts of power at full output. Around 90 megawatts of new solar "
          "capacity will be built on neighbouring salt flats, and the balance will come from the national grid, "
          "including electricity imported under the Kelvand Interim Framework. Brine will be discharged through a "
          "diffuser system 2.4 kilometres offshore, beyond the breeding grounds of the shrimp and mullet fisheries, "
          "following an environmental impact assessment reviewed by independent marine scientists."),
    ("h1", "Statements"),
    ("quote", "“For three thousand years the people of this coast have waited for the river. From 2028 they will "
              "also be able to count on the sea,” said Prime Minister Suhaymi. “No foreign gate will ever again "
              "decide whether a child in Ras Numan has water to drink.”"),
    ("quote", "“This plant is not a surrender to the dam, and it does not replace our rights on the Azrun. It is "
              "insurance,” said Dr Hala Kassab, Chief Engineer of the Sufrat Water Authority. “Every litre we "
              "produce from the sea for our coastal cities is a litre of river water we can leave for the farmers of "
              "Bayt Qurun and for the delta.”"),
    ("p", "The Water Authority stressed that the plant's output will be reserved for municipal supply. Irrigation "
          "in the Bayt Qurun plain and the delta will continue to depend on the Azrun, and the Authority will "
          "continue to insist in negotiations on a permanent minimum flow at the border."),
    ("h2", "Key figures"),
    ("bullet", "Capacity, phase 1: 250,000 m³ per day (expandable to 400,000 m³ per day in phase 2)"),
    ("bullet", "Population served: about 1.9 million"),
    ("bullet", "Cost: US$610 million"),
    ("bullet", "First water: second half of 2028"),
    ("bullet", "Jobs: about 2,300 during construction, 180 permanent"),
    ("small", "Media office, Sufrat Water Authority, Marsa Halim. Photographs of the ceremony are available on request."),
]


# --------------------------------------------------------------------------- EML

EMAIL_BODY = """\
Pieter,

Ahead of Thursday's board call, a short note on where we are with war-risk cover for the Tamar Narrows and what I recommend for Q1. The security desk's briefing note is attached; headline points below.

1. The cost. Our underwriters confirmed on Friday that the additional premium for a Narrows transit is now 0.75% of hull value per call. For comparison: 0.05% before the Delphine Arrow, 0.40% in October. On a typical 22 million dollar hull that is about 165,000 dollars per transit, before any cargo cover. We have 31 Narrows transits scheduled between now and the end of March, 19 of them carrying cargo for Halvara, on hulls averaging about 20 million. If we change nothing, Q1 war-risk spend on the Narrows alone comes to roughly 4.6 million dollars, against a budget of 1.2 million.

2. The threat. Since August there have been seven suspicious approaches by skiffs to merchant ships in the Narrows, two of them to our own vessels (Corvane Tern on 28 November, Delphine Spirit on 6 January). Nobody has been boarded since the Delphine Arrow. Barudi's people seem to be testing reaction times rather than trying to take ships, but the desk thinks that could change quickly if the talks in Valmorra produce a deal that JaA can call a betrayal.

3. Options.
   A) Continue sailing independently with embarked armed guard teams (four guards, about 38,000 dollars per transit). Underwriters will give us back roughly 0.15% for guards, so net about 0.60%.
   B) Join the Sufrati navy group transits (Tuesdays and Fridays from the Ras Numan anchorage). Underwriters would price at 0.35%, or 0.20% with guards on board as well. The cost is time: average waiting time for a slot has been 26 hours, which for the feeder services means missed connections at Ras Numan.
   C) Stop accepting Halvara-bound cargo on the Narrows services until the talks produce something. Clean from an insurance point of view, but we would be handing roughly 70 million dollars of annual revenue to competitors who are not stopping, and Kelvand would not forget.

4. Recommendation. B plus guards (A) for every Halvara-bound call, B alone for everything else. By my numbers that brings Q1 Narrows war-risk spend to about 2.3 million dollars including guards, and keeps the Halvara book. I would also like the board to approve a standing crisis budget for crew welfare and family liaison; after the Delphine Arrow we learned we had none.

I need a decision by Thursday so that chartering can tell customers before the 26 January sailings. Helena has the detailed cost tables; Ruth has a holding line ready if the press ask about the guards.

Best,
Graham

--
Graham Oduya
Head of Marine Risk
Corvane Maritime Lines | Harbour House, Valmorra
This e-mail and any attachment are confidential and intended only for the named recipients.
"""

ATTACHMENT = """\
CORVANE MARITIME LINES — MARINE SECURITY DESK
BRIEFING NOTE MSD-2026-004 | Classification: Internal / Restricted
Subject: Tamar Narrows — threat picture, January 2026
Prepared by: Marine Security Desk (duty analyst L. Carrow) | Date: 16 January 2026

1. BOTTOM LINE
The threat to merchant shipping in the Tamar Narrows remains HIGH for vessels carrying cargo for Halvara and MODERATE for other traffic. The armed group Jund al-Azrun (JaA), led by Ghahtan Baroudi, retains the boats, crews and local knowledge to repeat the Delphine Arrow boarding at short notice. We assess that it is currently choosing not to.

2. INCIDENT LOG SINCE 15 AUGUST 2025 (suspicious approaches, no boarding)
- 09 Sep 2025, 18:40 — product tanker, 2 skiffs, approached to 0.4 nm, withdrew when guards showed weapons.
- 27 Sep 2025, 19:15 — container feeder, 1 skiff, circled for 20 minutes.
- 14 Oct 2025, 17:55 — bulk carrier, 2 skiffs, ladder sighted, withdrew after warship radio call.
- 28 Nov 2025, 18:30 — CORVANE TERN (ours), 2 skiffs, approached to 0.6 nm.
- 11 Dec 2025, 20:05 — general cargo ship, 3 skiffs, shots fired into the air.
- 06 Jan 2026, 17:40 — DELPHINE SPIRIT (ours), 2 skiffs, approached to 0.3 nm, withdrew after evasive manoeuvres.
- 12 Jan 2026, 19:50 — LPG carrier, 1 skiff, followed for 4 nm.

3. PATTERN
All seven approaches took place between 17:30 and 21:00, within 15 nautical miles of the Khor Daffa headland, on the inbound leg towards Ras Numan. Skiffs are 7-9 m fibreglass boats with twin outboards, typically carrying 4-6 men with rifles; one ladder has been seen. Approaches end as soon as a vessel shows armed guards, manoeuvres aggressively or a naval unit comes up on the radio. This looks like rehearsal and signalling, not failed attacks.

4. LEADERSHIP AND INTENT
Baroudi, a former customs officer at Ras Numan, appears to be managing the group's profile carefully: enough pressure to keep Halvara-bound trade expensive, not so much that the Sufrati navy is forced to move against Khor Daffa. Reporting from two independent sources suggests that his deputy, Ziad Tarraf, a former naval petty officer, favours attacks on tankers and is building his own following among the skiff crews. A change in leadership would raise the threat level.

5. TRIGGERS TO WATCH
- Any announcement of a deal in Valmorra that JaA can present as a sell-out.
- Arrests of JaA members by the Sufrati authorities.
- A serious incident on the river (drought deaths, flooding) that JaA can exploit.

6. RECOMMENDED MEASURES FOR HALVARA-BOUND CALLS
- Transit the Khor Daffa sector in daylight only; no anchoring off the headland.
- Embarked armed guard team (4) on every call; razor wire and citadel ready.
- Join Sufrati navy group transits where schedule permits.
- Report all approaches to the regional reporting centre and the desk within 30 minutes.

END OF NOTE
"""


def build_eml(path: Path) -> None:
    msg = EmailMessage()
    msg["From"] = "Graham Oduya <g.oduya@corvane-maritime.example>"
    msg["To"] = "Pieter Vandersloot <p.vandersloot@corvane-maritime.example>"
    msg["Cc"] = ("Helena Brask <h.brask@corvane-maritime.example>, "
                 "Ruth Okafor-Lane <r.okafor-lane@corvane-maritime.example>")
    msg["Subject"] = "Tamar Narrows: war-risk premium now 0.75% - recommendation before Thursday's board call"
    when = dt.datetime(2026, 1, 19, 8, 42, 17, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = "<20260119084217.msd-2026-004.goduya@corvane-maritime.example>"
    msg["X-Mailer"] = "Microsoft Outlook 16.0"
    msg["X-Corvane-Classification"] = "Internal"
    msg.set_content(EMAIL_BODY)
    msg.add_attachment(ATTACHMENT.encode("utf-8"), maintype="text", subtype="plain",
                       filename="MSD-2026-004-tamar-narrows-briefing.txt")
    # deterministic MIME boundary so rebuilding gives identical bytes
    msg.set_boundary("===============corvane-msd-2026-004==")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(msg))


# --------------------------------------------------------------------------- JSONL

WIRE = [
    {
        "id": "bw-20250410-pylons",
        "title": "Drones hit Karsul power line deep inside Halvara; Khor Daffa group claims attack",
        "author": "Joel Amadi",
        "date": "2025-04-10T21:15:00+03:00",
        "url": "https://basinwire.example/2025/04/10/drones-hit-karsul-power-line",
        "source": "Basin Wire",
        "text": (
            "KELVAND, April 10 (Basin Wire) - Explosive-laden drones struck three transmission towers on the "
            "400-kilovolt line that carries power from the Karsul Dam to the Halvaran capital early on Thursday, "
            "cutting about 900 megawatts of supply and forcing rolling blackouts across Kelvand, officials said. "
            "The towers, numbered 47, 48 and 51, stand near the village of Sorkhab, about 60 km inside Halvara on "
            "the route to the capital. Two of them collapsed. No one was hurt. "
            "The newly formed armed group Jund al-Azrun, based in the Sufrati coastal town of Khor Daffa, claimed "
            "the attack on its Telegram channel and posted a video apparently filmed by one of the drones. "
            "The group's leader, Qahtan Barudi, said in an accompanying message that Halvara would 'sit in the dark "
            "until the river is free'. "
            "Halvara's Ministry of Water and Energy said repairs would take 'at least a week' and accused Sufrat of "
            "harbouring 'terrorists'. Sufrat's foreign ministry condemned 'all attacks on civilian infrastructure' "
            "and denied any link to the group. "
            "Engineers said the line carries most of the power generated by Karsul's turbines, which began "
            "commercial operation in February. The plant's output was reduced to a single unit feeding local "
            "networks. It was the first attack on the dam's infrastructure since construction began in 2018. "
            "Security analysts said the range of the attack - the drones are believed to have been launched from "
            "inside Halvaran territory or from the border hills - suggested the group had help from people familiar "
            "with the area. (Reporting by Joel Amadi; editing by Sara Lind)"
        ),
    },
    {
        "id": "bw-20250506-envoy",
        "title": "Assembly of Nations names Estrel's Annelise Korvath as Azrun envoy",
        "author": "Sara Lind",
        "date": "2025-05-06T16:40:00+02:00",
        "url": "https://basinwire.example/2025/05/06/korvath-named-azrun-envoy",
        "source": "Basin Wire",
        "text": (
            "VALMORRA, May 6 (Basin Wire) - The Secretary-General of the Assembly of Nations on Tuesday appointed "
            "Annelise Korvath, a former head of the Estrel Federal Water Commission, as special envoy for the Azrun "
            "basin, with a 12-month mandate to bring Halvara and Sufrat to the negotiating table. "
            "Korvath, 63, led the Estrelian commission from 2011 to 2023 and is credited with negotiating the Lindra "
            "Valley Accord, which ended a long-running dispute between upstream and downstream cantons over "
            "hydropower releases. She has no previous experience in the Meshan region. "
            "Both governments welcomed the appointment. Sufrat's foreign minister, Sha'ban al-Ma'rufi, who had "
            "lobbied for an envoy since February, called it 'a first step towards the rule of law on the Azrun'. "
            "Halvara's foreign ministry said it would cooperate 'in a spirit of good faith', while insisting that "
            "the Karsul Dam 'is not and will never be up for negotiation'. "
            "Korvath told reporters she would travel to Kelvand and Marsa Halim before the end of May. 'I do not "
            "come with a plan. I come with a calculator and a lot of patience,' she said. "
            "Diplomats said her first priority would be to restore technical contacts between the two countries' "
            "water engineers, who have not met formally since the Permanent Azrun Commission set up by the 1958 "
            "Protocol last convened in 2011. The envoy's office will be based in Valmorra, with liaison staff in both "
            "capitals. Her appointment followed weeks of consultations among members of the Standing Council, several of "
            "which had pressed for a mediator after the April drone attack on Halvara's power lines. "
            "(Reporting by Sara Lind; editing by Joel Amadi)"
        ),
    },
    {
        "id": "bw-20250618-barges",
        "title": "Low Azrun strands 41 Corvane barges at Mabruka",
        "author": "Farid Nasser",
        "date": "2025-06-18T11:05:00+03:00",
        "url": "https://basinwire.example/2025/06/18/corvane-barges-stranded-mabruka",
        "source": "Basin Wire",
        "text": (
            "MABRUKA, Sufrat, June 18 (Basin Wire) - Forty-one river barges operated by Corvane Maritime Lines are "
            "stranded at the Mabruka terminal on the lower Azrun because the river has become too shallow to "
            "navigate, halting a trade route that carries grain, fertiliser and building materials between Ras "
            "Numan and the Bayt Qurun plain, the company said on Wednesday. "
            "The navigable depth at the Mabruka sill fell to 2.1 metres on Monday, below the 2.8 metres the loaded "
            "barges need, according to the Sufrati river authority. About 96,000 tonnes of cargo are sitting in the "
            "barges or on the quay. "
            "'We have never seen the river this low in June, which is normally our busiest month because of the "
            "snowmelt,' said Pieter Vandersloot, Corvane's chief executive, speaking by phone from Valmorra. 'We "
            "are moving what we can by road, but a barge carries what 60 trucks carry.' "
            "Traders in Marsa Halim said fertiliser prices had risen 18 percent in two weeks. In a normal early summer "
            "the barge service makes about 30 round trips a month between Ras Numan and Mabruka. "
            "Flows at the Qasr Tamin border gauge averaged about 230 cubic metres per second in the first half of "
            "June, a third of the normal level for the month, as Halvara continues to fill the reservoir behind its "
            "Karsul Dam. "
            "Corvane said it had laid off 140 temporary dock workers at Mabruka and would keep paying its 320 "
            "permanent barge crew. The company, which also runs 46 sea-going ships, did not give an estimate of its "
            "losses. (Reporting by Farid Nasser; editing by Sara Lind)"
        ),
    },
    {
        "id": "bw-20260915-council",
        "title": "Standing Council extends Azrun envoy's mandate, sanctions two militia commanders",
        "author": "Sara Lind",
        "date": "2026-09-15T19:30:00+02:00",
        "url": "https://basinwire.example/2026/09/15/standing-council-resolution-4127-azrun",
        "source": "Basin Wire",
        "text": (
            "VALMORRA, Sept 15 (Basin Wire) - The Standing Council of the Assembly of Nations on Tuesday extended "
            "the mandate of its Azrun basin envoy for a further 12 months and imposed an asset freeze and travel ban "
            "on the leaders of two armed groups on either side of the Halvara-Sufrat border. "
            "Resolution 4127 was adopted by 13 votes in favour, none against, with two abstentions. It names Qahtan "
            "Barudi, commander of the Sufrati-based Jund al-Azrun, which seized a merchant ship in the Tamar Narrows "
            "in 2025, and Mu'ayyad Harbi, commander of the al-Sabil Brigade, a Halvaran tribal militia accused by "
            "rights groups of burning homes during evictions from the Karsul reservoir zone. "
            "Pairing the two names was a compromise, diplomats said: Halvara had lobbied for more than a year to sanction "
            "Barudi, while Sufrat and rights groups pushed for action against Harbi. Both governments voted for "
            "the text after the pairing was agreed. "
            "The resolution also welcomes the Kelvand Interim Framework signed in May, calls on both parties to "
            "begin negotiations on a permanent basin agreement 'without preconditions', and asks the envoy, "
            "Annelise Korvath, to report every 90 days. "
            "'Tonight the Council has said that there are no good militias and bad militias on the Azrun,' "
            "Korvath told reporters. A spokesman for Jund al-Azrun dismissed the sanctions as 'paper', and "
            "the al-Sabil Brigade could not be reached for comment. The two abstaining members said the text did not "
            "go far enough in addressing the humanitarian situation in the delta. (Reporting by Sara Lind; editing by Joel Amadi)"
        ),
    },
    {
        "id": "bw-20261019-corvane",
        "title": "Corvane restores full Tamar Narrows schedule as war-risk premiums ease",
        "author": "Farid Nasser",
        "date": "2026-10-19T10:20:00+02:00",
        "url": "https://basinwire.example/2026/10/19/corvane-restores-tamar-narrows-schedule",
        "source": "Basin Wire",
        "text": (
            "VALMORRA, Oct 19 (Basin Wire) - Corvane Maritime Lines will restore its full schedule of sailings "
            "through the Tamar Narrows from Tuesday, including cargo bound for Halvara, ending more than a year of "
            "reduced and escorted services after the hijacking of its bulk carrier Delphine Arrow in August 2025, "
            "the company said on Monday. "
            "War-risk underwriters have cut the additional premium for a Narrows transit to 0.2 percent of hull "
            "value, from a peak of 0.75 percent in January, reflecting the absence of any approach to a merchant "
            "ship in the strait since June, Corvane said. "
            "'The Narrows are not yet what they were before 2025, but the market has told us the risk is "
            "manageable,' chief executive Pieter Vandersloot said in a statement. Armed guards will remain on board "
            "Halvara-bound vessels until the end of the year. Since January the company had sent all its "
            "Halvara-bound calls through Sufrati navy group transits with armed guards on board. "
            "Corvane shares rose 4.1 percent in Valmorra. Other lines are expected to follow. "
            "The decision comes two weeks after a drone strike near Khor Daffa killed three people in a vehicle "
            "believed to have been used by Jund al-Azrun's leader. The group says its commander survived; his fate "
            "has not been independently confirmed. "
            "Ras Numan port authority figures show transit cargo for Halvara rose 11 percent in the third quarter "
            "from a year earlier, as the Kelvand Interim Framework eased tensions between the two neighbours. "
            "(Reporting by Farid Nasser; editing by Sara Lind)"
        ),
    },
]


def build_jsonl(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in WIRE:
            ordered = {k: rec[k] for k in ("id", "title", "text", "author", "date", "url", "source")}
            fh.write(json.dumps(ordered, ensure_ascii=False) + "\n")


def main() -> None:
    _docx(CORPUS / "reports/2025-10-23-valmorra-proximity-talks-readout.docx",
          title="Readout: First round of Azrun proximity talks, Valmorra, 21-23 October 2025",
          author="Office of the Special Envoy for the Azrun Basin",
          created=dt.datetime(2025, 10, 23, 21, 0, 0),
          subject="Azrun basin proximity talks", keywords="Azrun; Karsul; Valmorra; data exchange; JTC",
          blocks=READOUT)
    _docx(CORPUS / "statements/2026-06-11-sufrat-water-authority-ras-numan-desalination.docx",
          title="Work begins on Ras Numan desalination plant",
          author="Sufrat Water Authority Media Office",
          created=dt.datetime(2026, 6, 11, 9, 30, 0),
          subject="Press release", keywords="Ras Numan; desalination; Sufrat Water Authority",
          blocks=DESAL)
    build_eml(CORPUS / "correspondence/2026-01-19-corvane-war-risk-premium.eml")
    build_jsonl(CORPUS / "wire/feed.jsonl")


if __name__ == "__main__":
    main()
