"""Progress bars for the long matching commands, on stderr and only on a terminal."""

from __future__ import annotations

import sys

from tqdm import tqdm


def progress_bar(*, total: int | None, unit: str, description: str,
                 quiet: bool = False) -> tqdm:
    # tqdm's own `disable=None` turns the bar off when stderr is not a terminal (CI logs).
    return tqdm(total=total, unit=unit, unit_scale=True, desc=description, file=sys.stderr,
                disable=True if quiet else None, leave=False)
