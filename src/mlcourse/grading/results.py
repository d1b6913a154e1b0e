"""Rubric criteria and their outcomes, as the pytest plugin records them and the grader reads them.

The plugin runs inside the pytest subprocess and the grader outside it, so the two exchange a
small JSON file, rewritten after every test: if the run has to be killed, what was recorded so
far survives.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mlcourse._files import atomic_path

PASSED = "passed"
FAILED = "failed"
ERROR = "error"  # the test could not even start (a fixture failed)
SKIPPED = "skipped"
NOT_RUN = "not run"

#: Seconds each graded test (and each graded cell) may run unless told otherwise. Here rather
#: than in the plugin so that the grader's side can use it without importing pytest.
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Criterion:
    """One graded test seen as a rubric criterion."""

    test: str
    description: str
    hint: str
    has_rubric: bool = True


@dataclass(frozen=True)
class Outcome:
    """What happened when a criterion's test ran."""

    status: str
    error_type: str | None = None
    message: str = ""

    @property
    def first_line(self) -> str:
        return next((line for line in self.message.splitlines() if line.strip()), "")


@dataclass(frozen=True)
class CriterionResult:
    """A criterion with its outcome: one line of the rubric."""

    criterion: Criterion
    outcome: Outcome

    @property
    def met(self) -> bool:
        return self.outcome.status == PASSED

    def reason(self) -> str:
        """Why the criterion is not met, in one line (empty when it is met)."""
        if self.met:
            return ""
        if self.outcome.error_type:
            return f"{self.outcome.error_type}: {self.outcome.first_line}".rstrip(": ")
        return self.outcome.first_line or self.outcome.status


@dataclass
class ResultsFile:
    """The plugin's record of a run: criteria in collection order, outcomes, loading notes."""

    criteria: list[Criterion] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def save(self, path: Path) -> None:
        data = {
            "criteria": [asdict(criterion) for criterion in self.criteria],
            "outcomes": {test: asdict(outcome) for test, outcome in self.outcomes.items()},
            "notes": self.notes,
        }
        with atomic_path(path) as temporary:
            temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ResultsFile:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            criteria=[Criterion(**criterion) for criterion in data["criteria"]],
            outcomes={test: Outcome(**outcome) for test, outcome in data["outcomes"].items()},
            notes=list(data["notes"]),
        )

    def results(self, missing: Outcome) -> list[CriterionResult]:
        """Pair every criterion with its outcome, or with ``missing`` if it never ran."""
        return [
            CriterionResult(criterion, self.outcomes.get(criterion.test, missing))
            for criterion in self.criteria
        ]
