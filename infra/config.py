"""What differs between stages."""

from __future__ import annotations

from dataclasses import dataclass


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
