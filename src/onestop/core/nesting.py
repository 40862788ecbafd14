"""How deeply JSON nests, measured without recursion.

Python's `json` module, jsonschema and every tree walk in OneStop recurse once per level:
a body of 100,000 opening brackets exhausts the stack long before any validation sees it.
So every JSON that comes from outside (an API body, a pasted script) is measured here
first, on its text, in one pass, and refused past a limit far above any real document.
"""

from __future__ import annotations

import re

# A JSON string (escapes included); brackets inside one do not nest anything.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class TooDeep(ValueError):
    """JSON that nests more than `limit` arrays and objects inside each other."""

    def __init__(self, limit: int, position: int | None = None) -> None:
        self.limit, self.position = limit, position
        where = f" (at character {position + 1})" if position is not None else ""
        super().__init__(f"the JSON nests arrays and objects more than {limit} levels "
                         f"deep{where}")


def check_text_depth(text: str, limit: int) -> None:
    """Raise TooDeep if the JSON `text` nests deeper than `limit`; linear in its length.

    Text that is not JSON at all passes or fails here by its brackets alone: the JSON
    parser that comes next reports what else is wrong with it.
    """
    blanked = _STRING.sub(lambda match: " " * len(match.group()), text)
    depth = 0
    for match in _BRACKET.finditer(blanked):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                raise TooDeep(limit, match.start())
        else:
            depth -= 1


def check_value_depth(value: object, limit: int) -> None:
    """Raise TooDeep if the parsed `value` (dicts and lists) nests deeper than `limit`."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            raise TooDeep(limit)
        stack.extend((child, depth + 1) for child in children)
