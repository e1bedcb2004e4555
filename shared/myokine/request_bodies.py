"""The base of every request body: JSON's booleans are not numbers.

pydantic's lax mode reads `true` as 1 for an int, float or Decimal field, so
`{"reps": true}` would be stored as one rep. Strict mode would refuse it, but also the
strings that JSON carries UUIDs, dates and decimals in. This base refuses a boolean
wherever a field does not declare one, and keeps everything else as it was.
"""

from __future__ import annotations

import functools
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationInfo, field_validator


def _options(annotation: Any) -> list[Any]:
    """The types a field may hold: Annotated and unions (Optional too) unwrapped."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _options(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [option for arg in get_args(annotation) for option in _options(arg)]
    return [annotation]


def _takes_bool(options: list[Any]) -> bool:
    """Whether a value of one of `options` may be a boolean (a nested model refuses one
    itself)."""
    return any(
        option in (bool, Any) or (isinstance(option, type) and issubclass(option, BaseModel))
        for option in options
    )


def _misplaced_bool(value: Any, annotation: Any) -> bool:
    """Whether `value` holds a boolean where `annotation` declares none (lists included;
    nested models check their own fields)."""
    options = _options(annotation)
    if isinstance(value, bool):
        return not _takes_bool(options)
    if isinstance(value, list):
        for option in options:
            if get_origin(option) in (list, tuple, set, frozenset):
                items = get_args(option)[0] if get_args(option) else Any
                # A list of models (an answer's rows) or of anything takes any item here.
                if _takes_bool(_options(items)):
                    return False
                return any(_misplaced_bool(item, items) for item in value)
    return False


@functools.cache
def _annotation(model: type[BaseModel], field: str) -> Any:
    """The declared type of a model's field (None for no such field). `model_fields` is
    built again on every read: this is read for every list and boolean validated."""
    found = model.model_fields.get(field)
    return None if found is None else found.annotation


class RequestBody(BaseModel):
    """A request body, or a part of one: a boolean only where a field declares one."""

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Every field of every body (and of the answers built on this base) passes here:
        # a value that is neither a boolean nor a list cannot hold a misplaced boolean, and
        # reading the field's type for it was a quarter of the gateway's CPU on a kiosk read.
        if not isinstance(value, bool | list):
            return value
        annotation = _annotation(cls, info.field_name or "")
        if annotation is not None and _misplaced_bool(value, annotation):
            raise ValueError("Must not be true or false here.")
        return value
