"""Tags as users and files write them: one list, split on `;` and `,`, each tag once."""

from __future__ import annotations

import re

_TAG_SEPARATORS = re.compile(r"[;,]")


def split_tags(*values: object) -> list[str]:
    """Tags from strings or lists, split on `;` and `,`, trimmed, and de-duplicated without regard
    to case (the first spelling is kept): `"Azrun; Karsul, azrun"` -> `["Azrun", "Karsul"]`."""
    tags: dict[str, str] = {}
    for value in values:
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if item is None:
                continue
            for tag in _TAG_SEPARATORS.split(str(item)):
                tag = " ".join(tag.split())
                if tag:
                    tags.setdefault(tag.casefold(), tag)
    return list(tags.values())
