"""What differs between stages."""

from __future__ import annotations

from dataclasses import dataclass

# Every deployed function's environment beyond its own settings. pydantic otherwise scans every
# installed distribution for plugins the first time it builds a validator (~5 ms per cold start);
# Siyu uses none.
RUNTIME_ENVIRONMENT = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}


@dataclass(frozen=True)
class StageConfig:
    stage: str
    powertools_layer_version: int
    production: bool
    archive_retention_days: int

    @classmethod
    def for_stage(cls, stage: str, powertools_layer_version: int) -> StageConfig:
        if stage not in ("dev", "prod"):
            raise ValueError(f"unknown stage {stage!r}: use dev or prod")
        production = stage == "prod"
        return cls(
            stage=stage,
            powertools_layer_version=powertools_layer_version,
            production=production,
            archive_retention_days=90 if production else 7,
        )
