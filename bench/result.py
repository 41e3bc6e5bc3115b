"""One benchmark figure and how it compares with its bound (docs/benchmarks.md)."""

import json
import operator
from dataclasses import asdict, dataclass, field

_COMPARE = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}


@dataclass
class Result:
    name: str
    value: float
    unit: str
    bound: float | None
    # "<=" means value must not exceed the bound, ">=" that it must reach it.
    comparison: str = "<="
    floor: float | None = None
    database: str = ""
    notes: str = ""
    # The benchmark module that measured it (bench_<benchmark>.py), set by bench/runner.py.
    benchmark: str = ""
    # Computed, never typed in; None for a figure reported without a bound.
    within_bound: bool | None = field(init=False)

    def __post_init__(self):
        self.within_bound = None if self.bound is None else _COMPARE[self.comparison](self.value, self.bound)

    def as_dict(self):
        return asdict(self)


def emit(results):
    """Print results as one JSON line that the runner collects (see bench/__main__.py)."""
    print("BENCH-RESULTS " + json.dumps([r.as_dict() for r in results], ensure_ascii=False), flush=True)
