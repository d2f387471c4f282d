"""One name per source: a publication's name, never a headline, with its domain mapped to it.

The rule:

- a source is a *name*: at most eight words, each capitalised except small connecting words
  (`of`, `the`, `de`...), without digits or sentence punctuation. `WaterBridge International
  launches €6.2 million appeal` is a headline, not a source, and is dropped;
- only the part before a qualifier counts: `The Basin Hour — Episode 31`, `Azrun Monitor · Verify
  desk` and `LE COURRIER DE VALMORRA — English Edition` are `The Basin Hour`, `Azrun Monitor` and
  `Le Courrier de Valmorra`; a name in capitals is title-cased;
- a domain (`meshancourier.example`, `www.gulfledger.example`) and a name have the same *key* when
  the name folded to letters and digits, without a leading `the`, equals the domain's main label
  (`meshancourier`) or starts with it (`WaterBridge International` for `waterbridge.example`).
  The name is shown, never the domain, whenever one is known (`SourceNames`, at ingest).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

MAX_WORDS = 8
SMALL_WORDS = frozenset(
    "of the and de la le les du des al el for in on a an at to van von der di da del y et und".split()
)
_QUALIFIER = re.compile(r"\s+[—–|·•]\s+|\s+-\s+")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/?", re.IGNORECASE)
_NOT_IN_NAMES = re.compile(r"[0-9?!:;\"“”«»€$£%]|\.\s|\.$")
_MIN_PREFIX = 5  # a domain label shorter than this matches a name only exactly


def clean_source(value: str | None, strict: bool = True) -> str | None:
    """The publication name in `value`, title-cased if in capitals; a domain as it is; None for a
    headline or anything else that is not a name. Not `strict` (a source a file names in a field
    of its own, such as a JSON `source`), lower-case words are allowed: only a headline's length,
    digits and sentence punctuation refuse it."""
    if not value or not value.strip():
        return None
    value = " ".join(value.split())
    if is_domain(value):
        return _host(value)
    name = _QUALIFIER.split(value, maxsplit=1)[0].strip(" ,")
    plausible = len(name.split()) <= MAX_WORDS and not _NOT_IN_NAMES.search(name)
    if not (is_name(name) if strict else plausible and name):
        return None
    return title_case(name) if name.isupper() else name


def is_name(text: str) -> bool:
    """A proper name: a few capitalised words (small connecting words aside), no digits, no
    sentence punctuation."""
    words = text.split()
    if not words or len(words) > MAX_WORDS or _NOT_IN_NAMES.search(text):
        return False
    if words[0].lower() in SMALL_WORDS - {"the", "le", "la", "les", "el", "al"}:
        return False
    return all(_capitalised(word) or word.lower() in SMALL_WORDS for word in words)


def _capitalised(word: str) -> bool:
    """`Courier`, `WaterBridge`, `al-Ma'rufi` (a name after an article), `&`."""
    if word in ("&", "+"):
        return True
    return any(part[:1].isupper() for part in word.split("-"))


def is_domain(value: str) -> bool:
    return " " not in value.strip() and bool(_DOMAIN.match(value.strip()))


def _host(value: str) -> str:
    match = _DOMAIN.match(value.strip())
    assert match is not None
    return match.group(1).lower()


def domain_of(url: str | None) -> str | None:
    """`meshancourier.example` for `https://www.meshancourier.example/national/...`."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else f"//{url}").hostname
    return host.removeprefix("www.") if host else None


def source_key(value: str) -> str:
    """What two spellings of one source share: `meshancourier` for `The Meshan Courier`,
    `THE MESHAN COURIER` and `meshancourier.example`."""
    if is_domain(value):
        host = _host(value)
        labels = host.split(".")
        return labels[-2] if len(labels) >= 2 else labels[0]
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    folded = re.sub(r"^the\s+", "", folded.strip())
    return re.sub(r"[^a-z0-9]", "", folded)


def same_source(domain_or_name: str, name: str) -> bool:
    """True when both name one source (a domain matches a name that starts with its label)."""
    first, second = source_key(domain_or_name), source_key(name)
    if not first or not second:
        return False
    if first == second:
        return True
    if is_domain(domain_or_name) and len(first) >= _MIN_PREFIX:
        return second.startswith(first)
    return False


def pick_source(candidates: Iterable[str | None], url: str | None = None) -> str | None:
    """The best source among candidate names (in order of preference) for a page at `url`: the
    first name matching the page's domain, else the first name, else the domain itself."""
    names = [name for name in (clean_source(c) for c in candidates) if name]
    domain = domain_of(url)
    proper = [name for name in names if not is_domain(name)]
    domains = [name for name in names if is_domain(name)] + ([domain] if domain else [])
    for site in domains:
        for name in proper:
            if same_source(site, name):
                return name
    if proper:
        return proper[0]
    return domains[0] if domains else None


def title_case(text: str) -> str:
    """`THE MESHAN COURIER` -> `The Meshan Courier`; words already in mixed case stay as they are."""
    words = []
    for index, word in enumerate(text.split()):
        if word.isupper() and len(word) > 1:
            word = word.lower() if index and word.lower() in SMALL_WORDS else word.capitalize()
        words.append(word)
    return " ".join(words)


class SourceNames:
    """The archive's source names by key, so that one publication is stored under one name:
    a document naming its source by domain gets the publication's name when the archive knows it,
    and a spelling already in the archive (`The Meshan Courier`) is reused for new documents."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._names: dict[str, str] = {}
        for name in known:
            self.canonical(name)

    def canonical(self, value: str | None) -> str | None:
        name = clean_source(value, strict=False)
        if name is None:
            return None
        key = source_key(name)
        known = self._names.get(key)
        if known is not None and not (is_domain(known) and not is_domain(name)):
            return known
        if is_domain(name):
            match = next((n for n in self._names.values() if not is_domain(n) and same_source(name, n)), None)
            if match is not None:
                return match
        self._names[key] = name
        return name
