"""Every deployable service, found rather than listed: infra/, the local stack and the merged
OpenAPI document all start here, so a new ``services/<name>/service.py`` that declares a
``SERVICE`` is deployed, served locally and documented with no other edit."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from shared.manifest import Service

PLATFORM = "platform"


def discover(package: str = "services") -> tuple[Service, ...]:
    """The ``SERVICE`` of every sub-package of ``package`` that has a ``service`` module: the
    platform first (it owns the API as a whole), then by name so that the order is stable."""
    root = importlib.import_module(package)
    found: list[Service] = []
    for module in pkgutil.iter_modules(root.__path__):
        if not module.ispkg:
            continue
        try:
            declaration = importlib.import_module(f"{package}.{module.name}.service")
        except ModuleNotFoundError as missing:
            if missing.name == f"{package}.{module.name}.service":
                continue  # a package without a declaration is not a service
            raise
        service = getattr(declaration, "SERVICE", None)
        if isinstance(service, Service):
            found.append(service)
    return _ordered(found)


def _ordered(services: Iterable[Service]) -> tuple[Service, ...]:
    chosen = sorted(services, key=lambda service: (service.name != PLATFORM, service.name))
    names = [service.name for service in chosen]
    duplicated = {name for name in names if names.count(name) > 1}
    if duplicated:
        raise ValueError(f"Two services declare the same name: {sorted(duplicated)}")
    return tuple(chosen)


SERVICES: tuple[Service, ...] = discover()
