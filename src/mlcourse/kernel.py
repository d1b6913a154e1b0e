"""What a learner's notebook kernel needs on top of the SDK: readable errors that say what to do.

Installed when ``mlcourse`` is imported inside an IPython kernel (every lesson imports it), and a
no-op anywhere else (scripts, tests, the grader):

- **plain tracebacks**: the SageMaker SDK switches the whole kernel to boxed, coloured
  tracebacks that show dozens of SDK frames and clip the message (a TODO's own text included);
  IPython's own traceback is put back before every cell;
- **first-error hints**: the errors a learner meets first (no AWS region or credentials because
  neither localcloud nor AWS is set up; localcloud stopped under a running notebook) end with
  one line saying what to do next;
- **interrupted jobs**: interrupting a cell never stops the SageMaker jobs it started, and the
  SDK's telemetry wrapper even hides the interruption (``fit`` returns as if it had finished).
  After an interrupted cell, the jobs it started that are still running are listed, with the
  command that stops them.
"""

from __future__ import annotations

import logging
import signal
import sys
from datetime import datetime, timezone
from typing import Any

log = logging.getLogger(__name__)

#: Attributes rich's ``traceback.install`` sets on the IPython shell (the class's own methods
#: show IPython's plain traceback once they are gone).
_RICH_SHELL_ATTRIBUTES = ("_showtraceback", "showtraceback", "showsyntaxerror")

NO_CLOUD_HINT = (
    "Hint: this kernel reaches neither localcloud nor AWS. Offline, start the course with "
    "`make lab` from the repository root and open the notebook from there; on AWS, run it on a "
    "SageMaker notebook instance (or set a region and credentials with `aws configure`)."
)
LOCALCLOUD_GONE_HINT = (
    "Hint: localcloud is not answering at {url}: it was stopped (the lab that started it "
    "ended?). Start `make lab` again, then re-run the notebook from the top."
)
INTERRUPTED_HINT = (
    "The cell was interrupted, but SageMaker jobs it started are still running: interrupting a "
    "cell never stops a job{hidden}. Wait for them, or stop them with\n"
    "    from mlcourse.teardown import delete_leftovers\n"
    "    delete_leftovers(prefix=\"<job name>\", dry_run=False)"
)
_HIDDEN_NOTE = (" (and the SDK hid the interruption, so the cell looks finished: values it set, "
                "such as an estimator's model_data, belong to an unfinished job)")


class _KernelState:
    """What the hooks remember about the cell that is running."""

    def __init__(self) -> None:
        self.cell_started: datetime | None = None
        self.interrupted = False


_state = _KernelState()


def install() -> bool:
    """Install the hooks into the running IPython kernel; False when there is none."""
    shell = _ipython_shell()
    if shell is None or getattr(shell, "_mlcourse_hooks", False):
        return False
    shell._mlcourse_hooks = True
    restore_plain_tracebacks(shell)
    shell.events.register("pre_run_cell", _before_cell)
    shell.events.register("post_run_cell", _after_cell)
    shell.set_custom_exc(_hinted_errors(), _show_with_hint)
    return True


def _ipython_shell() -> Any:
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "events") else None


def restore_plain_tracebacks(shell: Any) -> None:
    """Undo rich's traceback hook on ``shell`` and on ``sys.excepthook``."""
    for name in _RICH_SHELL_ATTRIBUTES:
        shell.__dict__.pop(name, None)
    if getattr(sys.excepthook, "__module__", "").startswith("rich"):
        sys.excepthook = sys.__excepthook__


# -- cells --------------------------------------------------------------------------------------

def _before_cell(info: Any = None) -> None:
    from IPython import get_ipython

    restore_plain_tracebacks(get_ipython())  # the SDK may have been imported by the last cell
    _state.cell_started = datetime.now(timezone.utc)
    _state.interrupted = False
    # The kernel sets Python's own SIGINT handler around each cell; ours notes the interrupt
    # first, then does exactly what it does (raise KeyboardInterrupt).
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _note_interrupt)


def _note_interrupt(signum: int, frame: Any) -> None:
    _state.interrupted = True
    signal.default_int_handler(signum, frame)


def _after_cell(result: Any) -> None:
    if not _state.interrupted or _state.cell_started is None:
        return
    try:
        from .teardown import running_jobs

        jobs = running_jobs(since=_state.cell_started)
    except Exception as error:  # no region, no credentials: nothing to look at
        log.debug("Could not list running jobs: %s", error)
        return
    if jobs:
        hidden = "" if getattr(result, "error_in_exec", None) else _HIDDEN_NOTE
        print(INTERRUPTED_HINT.format(hidden=hidden), file=sys.stderr)
        for job in jobs:
            print(f"  running: {job.kind} {job.name}", file=sys.stderr)


# -- errors -------------------------------------------------------------------------------------

def _hinted_errors() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError

    return (ValueError, NoRegionError, NoCredentialsError, EndpointConnectionError)


def hint_for(error: BaseException) -> str | None:
    """The one-line hint for an error a learner meets first, or None."""
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError, NoRegionError

    if isinstance(error, NoRegionError | NoCredentialsError) or (
            isinstance(error, ValueError) and "Must setup local AWS configuration" in str(error)):
        return NO_CLOUD_HINT
    if isinstance(error, EndpointConnectionError):
        url = str(getattr(error, "kwargs", {}).get("endpoint_url", ""))
        if "127.0.0.1" in url or "localhost" in url:
            return LOCALCLOUD_GONE_HINT.format(url=url)
    return None


def _show_with_hint(shell: Any, etype: type, value: BaseException, tb: Any,
                    tb_offset: int | None = None) -> None:
    """IPython's custom-exception handler: the usual traceback, then the hint."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    hint = hint_for(value)
    if hint:
        print(hint, file=sys.stderr)
