"""What every reader returns: a page of lines, and the page image when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from layout.model import Page


class InputError(Exception):
    """Bad input: the message names the file and the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class LoadedPage:
    page: Page
    # Grayscale or BGR uint8 array in the page's pixel coordinates, or None (page JSON,
    # ALTO/PAGE without image). Layout uses it for rules and frames; overlays draw on it.
    image: Any = None
