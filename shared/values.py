"""``Frozen``: the base of small value objects that every function builds at import (service
declarations, principals). Immutable, equal and hashed by value, copyable and picklable, like a
frozen dataclass; a plain class because building frozen dataclasses costs about 0.9 ms each at
import, on every cold start. Subclasses list their fields in ``__slots__`` and set them in
``__init__`` through ``_set``."""

from __future__ import annotations

from typing import Any, TypeVar

F = TypeVar("F", bound="Frozen")


def _rebuilt(kind: type[F], values: dict[str, Any]) -> F:
    return kind(**values)


class Frozen:
    __slots__: tuple[str, ...] = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frozen) and type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        # copy, deepcopy and pickle rebuild through __init__: __setattr__ refuses their default way.
        return _rebuilt, (type(self), dict(zip(self.__slots__, self._values(), strict=True)))
