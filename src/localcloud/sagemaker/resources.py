"""Named SageMaker resources: storage, ARNs, listing and tags.

Names are unique per account and region and, as on AWS, case-insensitive: ``Dup-Model`` is the
same name as ``dup-model`` (a second create is a duplicate; either spelling finds it). ARNs use
the lower-cased name, as AWS's do
(``arn:aws:sagemaker:us-east-1:123456789012:training-job/my-job``).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..aws.errors import AWSError, validation


def now() -> datetime:
    """Timestamps are timezone-aware UTC, as botocore returns them."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Account:
    """Where resources live: the account and region their ARNs name."""

    account_id: str
    region: str

    def arn(self, resource_type: str, name: str) -> str:
        return f"arn:aws:sagemaker:{self.region}:{self.account_id}:{resource_type}/{name.lower()}"


@dataclass
class Resource:
    """A stored resource: its public description plus private runtime state."""

    name: str
    arn: str
    description: dict[str, Any]
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def describe(self) -> dict[str, Any]:
        """A snapshot of the description (callers may not mutate the stored one)."""
        with self.lock:
            return copy.deepcopy(self.description)

    def update(self, **fields: Any) -> None:
        with self.lock:
            self.description.update(fields)
            self.description["LastModifiedTime"] = now()


class ByName(dict):
    """A dict keyed by SageMaker name, case-insensitively (live endpoints, jobs)."""

    def __setitem__(self, name: str, value) -> None:
        super().__setitem__(name.lower(), value)

    def __getitem__(self, name: str):
        return super().__getitem__(name.lower())

    def __contains__(self, name) -> bool:
        return super().__contains__(name.lower())

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)

    def pop(self, name: str, *default):
        return super().pop(name.lower(), *default)


class ResourceTable:
    """All resources of one type (training jobs, models, ...), keyed by name."""

    def __init__(self, kind: str, arn_type: str, account: Account,
                 duplicate_error: Callable[[str], AWSError],
                 missing_error: Callable[[str], AWSError]):
        self.kind = kind
        self.arn_type = arn_type
        self.account = account
        self._duplicate_error = duplicate_error
        self._missing_error = missing_error
        self._items: dict[str, Resource] = ByName()
        self._lock = threading.Lock()

    def arn(self, name: str) -> str:
        return self.account.arn(self.arn_type, name)

    def add(self, resource: Resource) -> Resource:
        with self._lock:
            if resource.name in self._items:
                raise self._duplicate_error(self.arn(resource.name))
            self._items[resource.name] = resource
        return resource

    def get(self, name: str) -> Resource:
        with self._lock:
            resource = self._items.get(name)
        if resource is None:
            raise self._missing_error(name)
        return resource

    def find(self, name: str) -> Resource | None:
        with self._lock:
            return self._items.get(name)

    def remove(self, name: str) -> Resource:
        with self._lock:
            resource = self._items.pop(name, None)
        if resource is None:
            raise self._missing_error(name)
        return resource

    def all(self) -> list[Resource]:
        with self._lock:
            return list(self._items.values())

    def by_arn(self, arn: str) -> Resource | None:
        return next((item for item in self.all() if item.arn == arn), None)


# -- listing ----------------------------------------------------------------------------------

@dataclass
class ListQuery:
    """The filters, sort and page every SageMaker List* operation shares."""

    name_contains: str | None = None
    status_equals: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    sort_by: str = "CreationTime"
    sort_order: str = "Descending"
    max_results: int = 100
    next_token: str | None = None

    @classmethod
    def from_request(cls, params: dict) -> ListQuery:
        return cls(
            name_contains=params.get("NameContains"),
            status_equals=params.get("StatusEquals"),
            created_after=_as_datetime(params.get("CreationTimeAfter")),
            created_before=_as_datetime(params.get("CreationTimeBefore")),
            modified_after=_as_datetime(params.get("LastModifiedTimeAfter")),
            modified_before=_as_datetime(params.get("LastModifiedTimeBefore")),
            sort_by=params.get("SortBy", "CreationTime"),
            sort_order=params.get("SortOrder", "Descending"),
            max_results=int(params.get("MaxResults", 100)),
            next_token=params.get("NextToken"),
        )


def _as_datetime(value) -> datetime | None:
    """A time filter: epoch seconds (what botocore sends) or an ISO 8601 string."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromtimestamp(float(value), timezone.utc)
    except (TypeError, ValueError):
        pass
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise validation(f"Value '{value}' is not a valid timestamp: give epoch seconds or "
                         "ISO 8601 (2024-01-31T12:00:00Z)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def list_response(key: str, descriptions: Iterable[dict], params: dict, name_key: str,
                  status_key: str | None, summary: Callable[[dict], dict]) -> dict:
    """The response of a List* request ``params`` (see :class:`ListQuery`).

    The descriptions are filtered, sorted and paged; the page's summaries (made by ``summary``)
    stand under ``key``.
    """
    query = ListQuery.from_request(params)
    selected = [d for d in descriptions if _matches(d, query, name_key, status_key)]
    sort_key = {"Name": name_key, "Status": status_key}.get(query.sort_by, "CreationTime")
    selected.sort(key=lambda d: d.get(sort_key) or "", reverse=query.sort_order == "Descending")
    page, token = page_of(selected, query.next_token, query.max_results)
    return page_response(key, [summary(d) for d in page], token)


def page_of(items: list[dict], token: str | None, size: int) -> tuple[list[dict], str | None]:
    """One page of ``items`` and the token of the next page (the index it starts at), if any."""
    try:
        start = int(token) if token else 0
    except ValueError:
        start = -1
    if start < 0:
        raise validation(f"Invalid pagination token {token!r}: pass the NextToken of the "
                         "previous page") from None
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def page_response(key: str, page: list[dict], token: str | None) -> dict:
    """A List* response: the page under ``key``, and NextToken when more pages follow."""
    return {key: page, **({"NextToken": token} if token else {})}


def _matches(description: dict, query: ListQuery, name_key: str, status_key: str | None) -> bool:
    name = description.get(name_key, "")
    if query.name_contains and query.name_contains.lower() not in name.lower():
        return False
    if query.status_equals and status_key and description.get(status_key) != query.status_equals:
        return False
    return (_within(description.get("CreationTime"), query.created_after, query.created_before)
            and _within(description.get("LastModifiedTime"), query.modified_after,
                        query.modified_before))


def _within(moment: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    """``after < moment < before`` for the bounds that are given (AWS's exclusive filters)."""
    if moment is None:
        return after is None and before is None
    return not ((after and moment <= after) or (before and moment >= before))


def pick(description: dict, *keys: str) -> dict:
    """The members of ``description`` a summary shows (those that are set)."""
    return {key: description[key] for key in keys if key in description}


# -- tags -------------------------------------------------------------------------------------

class TagStore:
    """Tags by resource ARN (AddTags, ListTags, DeleteTags and the Tags of Create* calls)."""

    MAX_TAGS = 50

    def __init__(self):
        self._tags: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def add(self, arn: str, tags: list[dict] | None) -> None:
        if not tags:
            return
        with self._lock:
            current = self._tags.setdefault(arn, {})
            current.update({tag["Key"]: tag.get("Value", "") for tag in tags})
            if len(current) > self.MAX_TAGS:
                raise validation(f"Resource {arn} would have more than {self.MAX_TAGS} tags")

    def list(self, arn: str) -> list[dict]:
        with self._lock:
            return [{"Key": k, "Value": v} for k, v in self._tags.get(arn, {}).items()]

    def snapshot(self) -> dict[str, dict[str, str]]:
        with self._lock:
            return {arn: dict(tags) for arn, tags in self._tags.items()}

    def restore(self, saved: dict[str, dict[str, str]]) -> None:
        with self._lock:
            self._tags = {arn: dict(tags) for arn, tags in saved.items()}

    def delete(self, arn: str, keys: list[str] | None = None) -> None:
        with self._lock:
            if keys is None:
                self._tags.pop(arn, None)
            else:
                for key in keys:
                    self._tags.get(arn, {}).pop(key, None)
