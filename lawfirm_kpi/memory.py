"""Pausing Python's cyclic garbage collector around one large, bounded computation.

Scoring a quarter builds hundreds of thousands of long-lived objects (rows, tallies, lines) and almost no cycles;
the collector would walk all of them again and again as they are made (about a third of the CPU time of scoring
2,000 staff, docs/benchmarks.md "scoring"). Reference counting still frees what is dropped; whatever cyclic
garbage the computation leaves is collected when the collector runs again after it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """No automatic cyclic collection inside the block; nested blocks leave it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
