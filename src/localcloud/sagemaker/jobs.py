"""Background jobs (training, transform, tuning) and what their collections have in common.

Each job runs in its own thread; its description lives in a :class:`~.resources.ResourceTable`
beside it, and stays there after the job has finished, until the service resets.
"""

from __future__ import annotations

import threading
from typing import Generic, Protocol, TypeVar

from .resources import ResourceTable


class LiveJob(Protocol):
    """A job the service runs in the background (training, transform or tuning)."""

    finished: threading.Event

    def stop(self) -> None: ...

    def terminate(self) -> None: ...


Job = TypeVar("Job", bound=LiveJob)


class JobCollection(Generic[Job]):
    """What the training, transform and tuning operations share: their live jobs by name.

    A subclass's constructor sets ``table`` (the jobs' descriptions, which answer for unknown
    names in AWS's words) and ``jobs`` (the job objects, by name).
    """

    table: ResourceTable
    jobs: dict[str, Job]

    def _job(self, name: str) -> Job:
        resource = self.table.get(name)  # the missing-resource error of this kind of job
        return self.jobs[resource.name]  # names are case-insensitive: use the stored spelling

    def running(self) -> list[Job]:
        """The jobs that have not finished yet."""
        return [job for job in self.jobs.values() if not job.finished.is_set()]

    def terminate_all(self) -> None:
        """Stop every job without ceremony: the service is shutting down or resetting."""
        for job in self.jobs.values():
            job.terminate()

    def reset(self) -> None:
        """Forget every job (stopping those still running)."""
        self.terminate_all()
        for name in list(self.jobs):
            self.jobs.pop(name)
            self.table.remove(name)
