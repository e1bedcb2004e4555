"""The base of every request body: JSON's booleans are not numbers.

pydantic's lax mode reads `true` as 1 for an int, float or Decimal field, so
`{"reps": true}` would be stored as one rep. Strict mode would refuse it, but also the
strings that JSON carries UUIDs, dates and decimals in. This base refuses a boolean
wherever a field does not declare one, and keeps everything else as it was.
"""

from __future__ import annotations

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


def _misplaced_bool(value: Any, annotation: Any) -> bool:
    """Whether `value` holds a boolean where `annotation` declares none (lists included;
    nested models check their own fields)."""
    options = _options(annotation)
    if isinstance(value, bool):
        return not any(
            option in (bool, Any) or (isinstance(option, type) and issubclass(option, BaseModel))
            for option in options
        )
    if isinstance(value, list):
        for option in options:
            if get_origin(option) in (list, tuple, set, frozenset):
                items = get_args(option)[0] if get_args(option) else Any
                return any(_misplaced_bool(item, items) for item in value)
    return False


class RequestBody(BaseModel):
    """A request body, or a part of one: a boolean only where a field declares one."""

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and _misplaced_bool(value, field.annotation):
            raise ValueError("Must not be true or false here.")
        return value
