"""Reuters-21578 (SGML) -> JSON Lines that `archive ingest` reads as is.

    python -m bench.reuters [--data-root ../shared/data] [--out bench/work/reuters/reuters.jsonl]

The collection is SGML, not XML: 22 files of `<REUTERS>` elements with no common root, a DOCTYPE,
control characters written as character references (`&#2;`, `&#5;`, ...), Latin-1/CP1252 bytes
and hard-wrapped lines. Each file is decoded, cleaned of what XML cannot hold (the DOCTYPE and
control-character references), wrapped in one root element and parsed with lxml's recovering XML
parser. Only articles with a non-empty `<BODY>` are kept (`<TEXT TYPE="BRIEF">` has a title only,
`UNPROC` has no body markup): 19,043 of the 21,578 articles.

Each record: `id` (the NEWID), `title`, `text` (paragraphs joined, the trailing "Reuter"
sign-off dropped), `date` (ISO), `source` "Reuters", `author` when given, `tags` (the TOPICS),
and for the benchmark's query templates `places`, `orgs`, `people`, `companies` (names written
`<Name>` in the body, the collection's own company markup).

The data are read from `../shared/data` beside the repository and never copied into it; the
JSON Lines land under `bench/work/` (ignored by git).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_ROOT = ROOT.parent / "shared" / "data"
WORK = ROOT / "bench" / "work"
SUBFOLDER = Path("news-reuters21578") / "reuters21578"
MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}

_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>")
_CHAR_REF = re.compile(r"&#(\d+);")
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})")
_SIGN_OFF = re.compile(r"\s*\breuter\b\s*$", re.IGNORECASE)
_PARAGRAPH_START = re.compile(r"\n(?=[ \t]+\S)")
_TABLE_LINE = re.compile(r"\S {3,}\S|\.{3,}")
_COMPANY = re.compile(r"<([A-Z][A-Za-z0-9&.,'\-]*(?: [A-Za-z0-9&.,'\-]+){1,7})>")  # <Versatile Corp>
_LISTED = re.compile(r"((?:[A-Z][A-Za-z&.'\-]+ ){1,5})<[A-Z][A-Z.]{0,7}>")  # Dean Foods Co <DF>


def data_folder(data_root: Path) -> Path:
    """The folder of `reut2-*.sgm` files; exits with a clear message when it is not there."""
    folder = Path(data_root) / SUBFOLDER
    if not sorted(folder.glob("reut2-*.sgm")):
        sys.exit(
            f"Reuters-21578 not found: expected {folder}/reut2-000.sgm ... reut2-021.sgm "
            "(give the folder holding news-reuters21578/ with --data-root)"
        )
    return folder


def decode(raw: bytes) -> str:
    """CP1252 (a superset of Latin-1's printable range); bytes CP1252 leaves undefined as Latin-1."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _keep_char_ref(match: re.Match) -> str:
    code = int(match.group(1))
    if code in (9, 10, 13) or 32 <= code < 127 or code > 159:
        return match.group(0)
    return " " if code in (2, 3) else ""  # start/end-of-text marks and other controls go


def parse_file(path: Path) -> Iterator[etree._Element]:
    """Every `<REUTERS>` element of one .sgm file."""
    text = _DOCTYPE.sub("", decode(path.read_bytes()))
    text = _CHAR_REF.sub(_keep_char_ref, text)
    text = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 32)  # raw control bytes
    parser = etree.XMLParser(recover=True, resolve_entities=False, huge_tree=True, no_network=True)
    root = etree.fromstring(f"<collection>{text}</collection>".encode(), parser)
    yield from root.iter("REUTERS")


def iso_date(value: str) -> str | None:
    match = _DATE.search(value or "")
    if not match or match.group(2).upper() not in MONTHS:
        return None
    day, month, year = int(match.group(1)), MONTHS[match.group(2).upper()], int(match.group(3))
    return f"{year:04d}-{month:02d}-{day:02d}"


def clean_body(body: str) -> str:
    """Hard-wrapped lines joined into paragraphs (tables keep their lines); sign-off dropped."""
    body = body.replace("\r\n", "\n").strip("\n")
    body = _SIGN_OFF.sub("", body)
    paragraphs = []
    for block in _PARAGRAPH_START.split(body):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if any(_TABLE_LINE.search(line.strip()) for line in lines):
            paragraphs.append("\n".join(line.strip() for line in lines))
        else:
            paragraphs.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(paragraphs).strip()


def _text(element: etree._Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _codes(article: etree._Element, name: str) -> list[str]:
    return [d.text.strip() for d in article.findall(f"{name}/D") if d.text and d.text.strip()]


def to_record(article: etree._Element) -> dict | None:
    """The JSON Lines record of one article, or None when it has no body text."""
    text = article.find("TEXT")
    if text is None:
        return None
    body = clean_body(_text(text.find("BODY")))
    if not body:
        return None
    title = " ".join(_text(text.find("TITLE")).split())
    author = " ".join(_text(text.find("AUTHOR")).split())
    author = re.sub(r"^by\s+", "", author, flags=re.IGNORECASE).split(",")[0].strip()
    companies = sorted({" ".join(m.split()) for m in _COMPANY.findall(body) + _LISTED.findall(body)})
    record = {
        "id": article.get("NEWID"),
        "title": title,
        "text": body,
        "date": iso_date(_text(article.find("DATE"))),
        "source": "Reuters",
        "tags": _codes(article, "TOPICS"),
        "places": _codes(article, "PLACES"),
        "orgs": _codes(article, "ORGS"),
        "people": _codes(article, "PEOPLE"),
        "companies": companies[:10],
    }
    if author:
        record["author"] = author
    return record


def iter_records(data_root: Path = DEFAULT_DATA_ROOT) -> Iterator[dict]:
    """Articles with a body, in NEWID order (the files hold them in that order)."""
    for path in sorted(data_folder(data_root).glob("reut2-*.sgm")):
        for article in parse_file(path):
            record = to_record(article)
            if record is not None:
                yield record


def topic_names(data_root: Path = DEFAULT_DATA_ROOT) -> dict[str, str]:
    """TOPICS code -> readable name, from the collection's category descriptions ("Trade (TRADE)")."""
    path = data_folder(data_root) / "cat-descriptions_120396.txt"
    names = {}
    for line in decode(path.read_bytes()).splitlines():
        match = re.fullmatch(r"\s*(.+?)\s+\(([A-Z0-9.\-]+)\)\s*", line)
        if match:
            names[match.group(2).lower()] = match.group(1).strip()
    return names


def write_jsonl(data_root: Path = DEFAULT_DATA_ROOT, out: Path | None = None) -> tuple[Path, int]:
    """Write every article with a body to `out` (kept when it already exists); (path, records)."""
    out = Path(out or WORK / "reuters" / "reuters.jsonl")
    if out.exists():
        with open(out, encoding="utf-8") as handle:
            return out, sum(1 for line in handle if line.strip())
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_suffix(".tmp")
    count = 0
    with open(temporary, "w", encoding="utf-8") as handle:
        for record in iter_records(data_root):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    temporary.replace(out)
    return out, count


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_subset(records: list[dict], out: Path) -> Path:
    """A JSON Lines file holding exactly these records (rewritten only when its content differs)."""
    content = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists() or out.read_text(encoding="utf-8") != content:
        out.write_text(content, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    parser.add_argument("--out", type=Path, default=WORK / "reuters" / "reuters.jsonl")
    args = parser.parse_args(argv)
    folder = data_folder(args.data_root)
    articles = with_title = with_body = 0
    for path in sorted(folder.glob("reut2-*.sgm")):
        for article in parse_file(path):
            articles += 1
            text = article.find("TEXT")
            with_title += text is not None and text.find("TITLE") is not None
            with_body += text is not None and text.find("BODY") is not None
    print(f"{articles} articles, {with_title} with <TITLE>, {with_body} with <BODY>")
    if args.out.exists():
        args.out.unlink()
    out, count = write_jsonl(args.data_root, args.out)
    print(f"wrote {count} records with a body to {out}")


if __name__ == "__main__":
    main()


# -- a fixed query set for latency runs --------------------------------------------------------------

STOPWORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or over the to was were will "
    "with says said say sees see set sets up down new not no than that this after before".split()
)
TOPIC_WORDS = {
    "earn": "earnings",
    "acq": "acquisitions",
    "money-fx": "foreign exchange",
    "crude": "crude oil",
    "trade": "trade",
    "interest": "interest rates",
    "ship": "shipping",
    "dlr": "the dollar",
    "gnp": "economic growth",
    "veg-oil": "vegetable oil",
    "money-supply": "money supply",
    "nat-gas": "natural gas",
    "cpi": "inflation",
    "bop": "the balance of payments",
    "reserves": "currency reserves",
    "jobs": "unemployment",
    "iron-steel": "steel",
    "alum": "aluminium",
    "ipi": "industrial production",
    "gas": "gasoline",
    "meal-feed": "animal feed",
    "pet-chem": "petrochemicals",
    "carcass": "meat",
    "livestock": "livestock",
    "yen": "the yen",
}
PLACE_WORDS = {
    "usa": "the United States",
    "uk": "Britain",
    "ussr": "the Soviet Union",
    "west-germany": "West Germany",
    "east-germany": "East Germany",
    "south-africa": "South Africa",
    "south-korea": "South Korea",
    "hong-kong": "Hong Kong",
    "new-zealand": "New Zealand",
    "saudi-arabia": "Saudi Arabia",
}
ORG_WORDS = {
    "ec": "the European Community",
    "imf": "the IMF",
    "opec": "OPEC",
    "worldbank": "the World Bank",
    "gatt": "GATT",
    "oecd": "the OECD",
    "ico-coffee": "the International Coffee Organization",
    "icco": "the International Cocoa Organization",
}
_GENERIC_COMPANY_START = frozenset("co corp inc ltd plc sons telegraph wireless and group the of".split())
TOPIC_QUESTIONS = (
    "How did {topic} change in {place} in 1987?",
    "What is the outlook for {topic} in {place}?",
    "Why is {place} worried about {topic}?",
    "What did officials in {place} say about {topic}?",
    "Which companies were affected by {topic}?",
)
PRICE_QUESTIONS = ("What caused the fall in {topic} prices?", "Why did {topic} prices rise in {place}?")
NOT_COMMODITIES = frozenset(
    "earn acq money-fx trade interest ship dlr gnp money-supply cpi bop reserves jobs ipi".split()
)
COMPANY_QUESTIONS = (
    "What did {company} report for the quarter?",
    "Who wants to buy {company}?",
    "Why did {company} shares move?",
    "What are {company}'s plans for {topic}?",
)
ORG_QUESTIONS = (
    "What did {org} decide about {topic}?",
    "Did {org} agree on {topic} with {place}?",
)


def _content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z'\-]+", text.lower()) if w not in STOPWORDS and len(w) > 2]


def _keyword_query(rng, record: dict) -> str | None:
    words = _content_words(record["title"])
    if len(words) < 2:
        return None
    size = rng.choice([n for n in (2, 3, 4) if n <= len(words)])
    start = rng.randrange(len(words) - size + 1)
    return " ".join(words[start : start + size])


def _question(rng, record: dict, names: dict[str, str]) -> str | None:
    tags = record["tags"]
    topics = [TOPIC_WORDS.get(t) or names.get(t, t.replace("-", " ")).lower() for t in tags]
    places = [PLACE_WORDS.get(p) or p.replace("-", " ").title() for p in record["places"]]
    companies = [
        c for c in record["companies"] if c.split()[0].lower() not in _GENERIC_COMPANY_START and len(c) > 4
    ]
    orgs = [ORG_WORDS[o] for o in record["orgs"] if o in ORG_WORDS]
    topic = rng.choice(topics) if topics else None
    place = rng.choice(places) if places else "the United States"
    if orgs and topic and rng.random() < 0.5:
        return rng.choice(ORG_QUESTIONS).format(org=rng.choice(orgs), topic=topic, place=place)
    if companies and rng.random() < 0.5:
        template = rng.choice(COMPANY_QUESTIONS if topic else COMPANY_QUESTIONS[:3])
        return template.format(company=rng.choice(companies), topic=topic)
    if topic:
        commodity = tags[topics.index(topic)] not in NOT_COMMODITIES
        templates = TOPIC_QUESTIONS + (PRICE_QUESTIONS if commodity else ())
        return rng.choice(templates).format(topic=topic, place=place)
    return None


def _phrase_query(rng, record: dict) -> str | None:
    words = re.findall(r"[A-Za-z]+|[^A-Za-z\s]+", record["text"])
    runs = []
    for i in range(len(words) - 2):
        size = rng.choice((2, 3))
        run = words[i : i + size]
        if (
            all(w.isalpha() and w.islower() and len(w) > 2 for w in run)
            and run[0] not in STOPWORDS
            and run[-1] not in STOPWORDS
        ):
            runs.append(" ".join(run))
    if not runs:
        return None
    phrase = f'"{rng.choice(runs)}"'
    extra = _content_words(record["title"])
    return f"{phrase} {rng.choice(extra)}" if extra and rng.random() < 0.5 else phrase


def query_set(records: list[dict], count: int, seed: int = 1987, names: dict | None = None) -> list[dict]:
    """`count` distinct queries `{"kind", "q"}`, deterministic for a seed: 40% keyword queries of
    2-4 title words, 40% questions from templates over the articles' topics, places, companies and
    organisations, 20% quoted phrases from article bodies (half with one more word)."""
    import random

    rng = random.Random(seed)
    names = names or {}
    kinds = ["keyword"] * 4 + ["question"] * 4 + ["phrase"] * 2
    queries: list[dict] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < count and attempts < count * 200:
        attempts += 1
        kind = kinds[len(queries) % len(kinds)]
        record = rng.choice(records)
        if kind == "keyword":
            text = _keyword_query(rng, record)
        elif kind == "question":
            text = _question(rng, record, names)
        else:
            text = _phrase_query(rng, record)
        if text and text.lower() not in seen:
            seen.add(text.lower())
            queries.append({"kind": kind, "q": text})
    return queries
