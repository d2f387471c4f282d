"""User query syntax -> a Whoosh query, plus the plain words the embedder should see.

Supported: words, "quoted phrases", AND / OR / NOT (also `-word`), parentheses,
`title:` `text:` `author:` `source:` `tags:` `format:` fields, wildcards (`Qaan*`, `Q?ani`,
at least two letters before the first wildcard), fuzzy terms (`Qani~`, `Qani~2`) and dates
(`date:2025-03`, `date:[2025-01-01 TO 2025-06-30]`, `date:>2025-03-01`). Dates become filters
that apply to both retrievers. Malformed syntax never fails: the query falls back to its plain
words, with a notice saying so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from dateutil import parser as date_parser
from whoosh import query as wq
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, OrGroup, RangePlugin

from indexer.analysis import analyze

SEARCH_FIELDS = ("title", "text")
FIELDS = {"title", "text", "author", "source", "tags", "format"}
FIELD_ALIASES = {"tag": "tags", "body": "text", "by": "author"}
MAX_TERMS = 64  # words; a long request often ends with its keywords (issue 19: LISA)
MAX_TOKENS = 2 * MAX_TERMS  # room for an operator or field name beside each term kept
SHOUTED_MIN_WORDS = 8  # an all-capitals query of at least this many words is read as plain words
PROXIMITY_MAX_WORDS = 6

# Every pattern over the query runs in linear time: no two unbounded quantifiers that can trade
# characters (`\s*(.*?)\s+` backtracked cubically on `date:[` + 993 spaces: 7 s of CPU), so
# possessive quantifiers (`*+`), and a range is split into its two ends by words, not by a regex.
_DATE_CLAUSE = re.compile(
    r"\bdate:(?:\[(?P<range>[^\]]*+)\]|(?P<op>[<>]=?)(?P<bound>\S++)|(?P<single>[^\s\[\]]++))"
)
MAX_DATE_LENGTH = 40  # longer than any way of writing a date; dateutil is not read further
_TOKEN = re.compile(r"\w+|[^\w\s]")
_FIELD = re.compile(r"\b([A-Za-z_]+):(?=\S)")
_WILDCARD_WORD = re.compile(r"(?<![\w'’-])[\w'’-]*+[*?][\w*?'’-]*+")
# Operators that ask for exact matching: hybrid results must then match the keyword query.
_OPERATORS = re.compile(
    r'"|\b(?:AND|NOT)\b|(?:^|(?<=[\s(]))-\w|\b(?:title|text|author|source|tags|format):|[*?~]'
)
_QUESTION_MARK = re.compile(r"(?<=[\w\"')])\?+(?=[\s\"')]|$)")
_MINUS = re.compile(r"(?:^|(?<=[\s(]))-(?=[\w\"])")
_QUOTED_WORD = re.compile(r'"\s*([^"\s]+)\s*"')  # "Ghaani": that spelling only
_SYNTAX = re.compile(r"[\"()\[\]{}^~*?:+]|(?:^|(?<=[\s(]))-|\b(?:AND|OR|NOT|TO)\b")


@dataclass
class ParsedQuery:
    keyword: wq.Query | None  # None: nothing for the keyword index to look for
    text: str  # what the embedder reads: the query as written, or its words when operators were used
    strict: bool = False  # operators were used: results must match the keyword query
    date_from: str | None = None
    date_to: str | None = None
    notices: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # terms the user wrote capitalised
    exact: set[str] = field(default_factory=set)  # terms of a word quoted on its own: no variants


class QueryParser:
    def __init__(self, schema, title_boost: float = 2.0, phrase_boost: float = 0.0):
        self.phrase_boost = phrase_boost
        self.schema = schema
        self._parser = MultifieldParser(
            list(SEARCH_FIELDS),
            schema,
            fieldboosts={"title": title_boost},
            group=OrGroup.factory(0.9),
        )
        self._parser.add_plugin(FuzzyTermPlugin())
        # Term ranges (`title:[a TO b]`) are not part of the language (date ranges are read before
        # Whoosh sees the query), and Whoosh's range pattern backtracks quadratically on `[[[...`.
        self._parser.remove_plugin_class(RangePlugin)

    def parse(self, raw: str) -> ParsedQuery:
        notices: list[str] = []
        raw = unshout(raw)
        text, date_from, date_to = _extract_dates(raw, notices)
        undated = " ".join(text.split())
        text = _bound_words(text, notices)
        text = _check_fields(text, notices)
        text = _check_wildcards(text, notices)
        text = _balance(text, notices)
        text = _MINUS.sub(
            "NOT ", text
        )  # `-word` at a word start (Whoosh's own plugin splits `0-dimensional`)
        plain_words = _plain_words(text)
        keyword = self._parse_syntax(text, notices) if text.strip() else None
        if keyword is None and plain_words.strip():
            keyword = self._parse_syntax(plain_words, notices)  # no syntax left: plain words
        if keyword is not None:
            keyword = _bound_terms(_fix_negation(keyword), notices)
        strict = keyword is not None and bool(_OPERATORS.search(text))
        if keyword is not None and not strict:
            keyword = self._with_proximity(keyword, plain_words)
        names = {
            term
            for word in plain_words.split()
            if word[:1].isupper()
            for term, _, _ in analyze(word, mode="query")
        }
        exact = {term for word in _QUOTED_WORD.findall(text) for term, _, _ in analyze(word, mode="query")}
        # The embedder reads the query as written, unless operators make it a search expression.
        embed_text = plain_words if strict else undated
        notices = list(dict.fromkeys(notices))  # `date:[` 200 times is one notice, not 200
        return ParsedQuery(keyword, embed_text, strict, date_from, date_to, notices, names, exact)

    def _with_proximity(self, keyword: wq.Query, words: str) -> wq.Query:
        """Short queries also reward the words standing together (`Ras al-Milh`, a full name)."""
        terms = [term for term, _, _ in analyze(words, mode="query")]
        if self.phrase_boost <= 0 or not 2 <= len(terms) <= PROXIMITY_MAX_WORDS:
            return keyword
        return wq.Or([keyword, wq.Phrase("text", terms, slop=1, boost=self.phrase_boost)])

    def _parse_syntax(self, text: str, notices: list[str]) -> wq.Query | None:
        try:
            parsed = self._parser.parse(text)
        except Exception:  # whoosh raises assorted errors on odd input; fall back below
            parsed = wq.NullQuery
        if parsed is wq.NullQuery or isinstance(parsed, wq.Not) or _only_negative(parsed):
            if _SYNTAX.search(text):
                notices.append("The query syntax could not be understood; searched for its words instead.")
            return None
        return parsed


def unshout(raw: str) -> str:
    """A long query written all in capitals (an old catalogue record, a telex, caps lock) is read
    as plain words: its AND / OR / NOT are words, not operators, and no word of it is a name (name
    variants would widen every word). Short ones (`NATO`, `HAMAS AND HEZBOLLAH`) are left as typed."""
    if len(raw.split()) < SHOUTED_MIN_WORDS or any(ch.islower() for ch in raw):
        return raw
    return raw.lower()


def _extract_dates(raw: str, notices: list[str]) -> tuple[str, str | None, str | None]:
    date_from = date_to = None
    for match in _DATE_CLAUSE.finditer(raw):
        try:
            if match.group("single"):
                date_from, date_to = _date_span(match.group("single"))
            elif match.group("op"):
                low, high = _date_span(match.group("bound"))
                if match.group("op").startswith(">"):
                    date_from = low if match.group("op") == ">=" else _next_day(high)
                else:
                    date_to = high if match.group("op") == "<=" else _previous_day(low)
            else:
                low, high = _range_ends(match.group("range"))
                if low not in ("*", ""):
                    date_from = _date_span(low)[0]
                if high not in ("*", ""):
                    date_to = _date_span(high)[1]
        except (ValueError, OverflowError):
            notices.append(f"Ignored '{_shorten(match.group(0))}': not a date (use e.g. date:2025-03-14).")
    return _DATE_CLAUSE.sub(" ", raw), date_from, date_to


def _range_ends(inside: str) -> tuple[str, str]:
    """The two ends of `[FROM TO TO]` (split at the first word TO; ValueError without one)."""
    words = inside.split()
    for position, word in enumerate(words):
        if word in ("TO", "to"):
            return " ".join(words[:position]), " ".join(words[position + 1 :])
    raise ValueError(inside)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…"


def _date_span(value: str) -> tuple[str, str]:
    """First and last day that a date, month or year stands for (ValueError if it is none)."""
    value = value.strip()
    if len(value) > MAX_DATE_LENGTH:
        raise ValueError(value)
    if re.fullmatch(r"[0-9]{4}", value):
        first, last = dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    elif re.fullmatch(r"[0-9]{4}-[0-9]{1,2}", value):
        year, month = (int(p) for p in value.split("-"))
        first = dt.date(year, month, 1)
        last = first.replace(day=calendar.monthrange(year, month)[1])
    else:
        try:
            first = last = date_parser.parse(value, default=dt.datetime(2000, 1, 1)).date()
        except (ValueError, OverflowError) as error:
            raise ValueError(value) from error
    return first.isoformat(), last.isoformat()


def _next_day(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


def _previous_day(iso: str) -> str:
    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


def _check_fields(text: str, notices: list[str]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1).lower()
        name = FIELD_ALIASES.get(name, name)
        if name in FIELDS:
            return f"{name}:"
        if name == "date":  # a date clause that _extract_dates could not read
            notices.append("Ignored a malformed date clause (use e.g. date:[2025-01-01 TO 2025-03-31]).")
            return " "
        notices.append(
            f"Unknown field '{match.group(1)}:' searched as plain words "
            f"(fields: {', '.join(sorted(FIELDS | {'date'}))})."
        )
        return f"{match.group(1)} "

    return _FIELD.sub(replace, text)


def _check_wildcards(text: str, notices: list[str]) -> str:
    def replace(match: re.Match) -> str:
        word = match.group(0)
        literal = re.split(r"[*?]", word, maxsplit=1)[0]
        if len(re.sub(r"\W", "", literal)) >= 2:
            return word
        notices.append(f"Ignored the wildcard in '{word}': put at least two letters before * or ?.")
        return re.sub(r"[*?]", "", word)

    text = _QUESTION_MARK.sub("", text)  # `...the war?` asks a question; `Q?ani` is a wildcard
    return _WILDCARD_WORD.sub(replace, text)


def _balance(text: str, notices: list[str]) -> str:
    if text.count('"') % 2:
        notices.append("Unbalanced quote ignored.")
        position = text.rfind('"')
        text = text[:position] + text[position + 1 :]
    depth = 0
    balanced = True
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        balanced = balanced and depth >= 0
    if depth != 0 or not balanced:
        notices.append("Unbalanced parentheses ignored.")
        text = text.replace("(", " ").replace(")", " ")
    return text


def _plain_words(text: str) -> str:
    """The query's words without operators, field names or negated words (for the embedder)."""
    text = re.sub(r"\bNOT\s+(\"[^\"]*\"|\S+)", " ", text)
    text = re.sub(r"(?:^|(?<=[\s(]))-(\"[^\"]*\"|\S+)", " ", text)
    text = re.sub(r"\b[a-z]+:", " ", text)
    text = _SYNTAX.sub(" ", text)
    return " ".join(text.split())


def _fix_negation(query: wq.Query) -> wq.Query:
    """Whoosh reads `a NOT b` inside an OR group as `a OR (NOT b)`; make it `a AND NOT b`."""
    query = query.apply(_fix_negation) if query.is_leaf() is False else query
    if isinstance(query, wq.Or):
        negative = [q.query for q in query.subqueries if isinstance(q, wq.Not)]
        positive = [q for q in query.subqueries if not isinstance(q, wq.Not)]
        if negative and positive:
            base = positive[0] if len(positive) == 1 else wq.Or(positive, scale=query.scale)
            return wq.AndNot(base, negative[0] if len(negative) == 1 else wq.Or(negative))
    return query


def _only_negative(query: wq.Query) -> bool:
    if isinstance(query, wq.Not):
        return True
    if isinstance(query, wq.Or | wq.And):
        return all(_only_negative(q) for q in query.subqueries)
    return False


def _bound_words(text: str, notices: list[str]) -> str:
    """At most MAX_TOKENS words and syntax marks reach Whoosh's parser: it is pure Python, about
    0.1 ms per token (`x:x:x:...` is 1,000 of them in one word), and only the first MAX_TERMS
    terms are kept afterwards anyway."""
    for count, token in enumerate(_TOKEN.finditer(text)):
        if count == MAX_TOKENS:
            _note_long(notices)
            return text[: token.start()]
    return text


def _note_long(notices: list[str]) -> None:
    notice = f"The query is long; only its first {MAX_TERMS} words were used."
    if notice not in notices:
        notices.append(notice)


def _bound_terms(query: wq.Query, notices: list[str]) -> wq.Query:
    terms = list(query.iter_all_terms())
    if len(terms) <= MAX_TERMS * len(SEARCH_FIELDS):
        return query
    _note_long(notices)
    kept: list[wq.Query] = []
    for child in query.subqueries if isinstance(query, wq.Or) else [query]:
        kept.append(child)
        if len(kept) >= MAX_TERMS * len(SEARCH_FIELDS):  # a word is one clause per field
            break
    return wq.Or(kept, scale=getattr(query, "scale", 0.0))
