"""Figures a part of the suite prints at the end of the run, also when pytest-xdist runs it.

A suite (the reliability suite) counts rows and measures times in module-level dicts and prints
them in ``pytest_terminal_summary``. Under pytest-xdist (``make test``) those dicts fill up in the
worker processes, whose summaries nobody sees: each worker hands its figures to the controller in
``config.workeroutput[WORKER_SUMMARIES]``, and ``tests/conftest.py`` there adds them up (counts)
or keeps them (measurements) and prints each section once.
"""

from __future__ import annotations

#: Key of ``config.workeroutput``: {section title: {"counts": {...}, "measurements": {...}}}.
WORKER_SUMMARIES = "summary_sections"


def hand_to_controller(config, title: str, counts: dict[str, int],
                       measurements: dict[str, float]) -> None:
    """In an xdist worker, pass a section's figures on to the controller (else do nothing)."""
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput.setdefault(WORKER_SUMMARIES, {})[title] = {"counts": counts,
                                                                 "measurements": measurements}


def merge(sections: dict[str, dict[str, dict]], workeroutput: dict) -> None:
    """Add one worker's sections to ``sections``: counts are summed, measurements kept."""
    for title, figures in workeroutput.get(WORKER_SUMMARIES, {}).items():
        section = sections.setdefault(title, {"counts": {}, "measurements": {}})
        for name, rows in figures["counts"].items():
            section["counts"][name] = section["counts"].get(name, 0) + rows
        section["measurements"].update(figures["measurements"])


def print_section(terminalreporter, title: str, counts: dict[str, int],
                  measurements: dict[str, float]) -> None:
    if counts or measurements:
        terminalreporter.section(title)
        for name, value in sorted({**counts, **measurements}.items()):
            terminalreporter.write_line(f"{name}: {value}")
