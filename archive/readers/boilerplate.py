"""Web leftovers at the end of a text: `Book a Demo`, `get in touch`, share, subscribe and cookie
lines, copyright lines, and the teaser or publication lines that sit between them and the article.

Only the end of a document is touched, and only when it holds at least one line that is known
boilerplate (the patterns below): the footer is then every line from the end back to the last line
of prose, so a repeated headline or a `Publisher | Series | Date` line above `Book a Demo` goes too,
while an article that merely ends with a short line is left whole. The reader returns the text
without the footer, so the chunks' character offsets point into exactly what is indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FOOTER_LINES = 12  # a footer longer than this is more likely content than leftovers
MAX_LINE_WORDS = 40
_TAIL_CHARACTERS = 16_384  # only the end of a text is read for its footer
KNOWN_BOILERPLATE = re.compile(
    r"""^(?:
        (?:book|request|schedule)\s+a\s+(?:demo|call|consultation)
      | get\s+in\s+touch | contact\s+us | talk\s+to\s+(?:us|sales|an\s+expert)
      | subscribe\b | sign\s+up\b | (?:join|get)\s+(?:our|the)\s+newsletter | newsletter\b
      | share\s+(?:this|on|via|the\s+article|the\s+story)\b | share$ | copy\s+link$
      | (?:follow|like)\s+(?:us|[\w ]{1,30}?\s+on)\b | download\s+(?:our|the)\s+app
      | unsubscribe\b | manage\s+(?:your\s+)?(?:preferences|subscription)
      | forward\s+(?:this|to\s+a\s+friend)\b
      | (?:(?:we|this\s+(?:site|website))\s+uses?\s+)?cookies?\b
      | (?:accept|manage|reject)\s+(?:all\s+)?cookies
      | cookie\s+(?:policy|settings|preferences)
      | (?:©|\(c\)|copyright\b).* | .*\ball\s+rights\s+reserved\b.*
      | related(?:\s+(?:articles|stories|posts|reading))?\s*: | read\s+more\b | more\s+from\b
      | (?:terms|privacy)(?:\s+(?:of\s+use|policy))?\s*(?:[|·•]|$)
      | advertisement$ | back\s+to\s+top$ | print(?:\s+this)?(?:\s+article|\s+page)?$
      | tags?\s*: | advertise\b | (?:get|receive)\s+(?:breaking\s+)?(?:news\s+)?alerts\b
      | (?:see|read)\s+also\b | also\s+read\b | (?:à\s+)?lire\s+aussi\b
      | .*\b(?:become\s+a\s+(?:supporter|member|subscriber)|support\s+(?:our|independent)\s+journalism
             |donate\s+now)\b.*
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_RULE = re.compile(r"^[-–—_*=~·•\s]{3,}$")  # ----, ***, ___ separators
_PROSE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")


@dataclass(frozen=True)
class Split:
    body: str  # the text without its footer
    footer: list[str]  # the footer's non-empty lines, top to bottom (metadata may sit there)


def split_footer(text: str) -> Split:
    """The text and the boilerplate footer at its end (empty when there is none)."""
    body = text.rstrip()
    tail_start = (
        body.find("\n", max(0, len(body) - _TAIL_CHARACTERS)) + 1 if len(body) > _TAIL_CHARACTERS else 0
    )
    cut = len(body)
    footer: list[str] = []
    known = False
    position = len(body)
    for line in reversed(body[tail_start:].split("\n")):
        position -= len(line) + 1
        if not line.strip():
            continue
        if len(footer) >= MAX_FOOTER_LINES or not _footer_like(line.strip()):
            break
        known = known or is_boilerplate(line)
        footer.insert(0, line.strip())
        cut = max(position, 0)
    if not known:
        return Split(text, [])
    return Split(body[:cut].rstrip(), footer)


def is_boilerplate(line: str) -> bool:
    """A known web leftover or a separator rule."""
    if _RULE.match(line.strip()):
        return True
    line = line.strip().lstrip("*_#>-• ").strip()
    return bool(len(line.split()) <= MAX_LINE_WORDS and KNOWN_BOILERPLATE.match(line))


def _footer_like(line: str) -> bool:
    """Boilerplate, or a short line that does not end a sentence (a teaser, a publication line)."""
    if is_boilerplate(line):
        return True
    return len(line.split()) <= MAX_LINE_WORDS and not _PROSE_END.search(line)
