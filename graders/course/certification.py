"""The certification program a course runs: pass mark, validity and tiers, from the `certification:` section of
course.yml (defaults when it has none). graders.results.tiers awards them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from graders.paths import MANIFEST
from simulations.common.models import FileModel, Share, Text, invalid, items, load_model


@dataclass(frozen=True)
class Tier:
    """One certification level: at least `min_passed` modules and `share_passed` of the track, at `min_average`, and
    `min_contributions` of the learner's library contributions on the track's modules accepted."""

    id: str
    title: str
    min_passed: int
    share_passed: float
    min_average: float
    min_contributions: int = 0

    def needed(self, track_size: int) -> int:
        return max(self.min_passed, math.ceil(self.share_passed * track_size - 1e-9))


@dataclass(frozen=True)
class Rules:
    """The certification program: pass mark per module, validity, and tiers listed from lowest to highest."""

    pass_mark: float = 0.7
    valid_months: int = 12
    tiers: tuple[Tier, ...] = (
        Tier("foundation", "Foundation", 1, 0.0, 0.7),
        Tier("practitioner", "Practitioner", 2, 0.5, 0.8),
        Tier("expert", "Expert", 1, 1.0, 0.9),
    )


class TierModel(FileModel):
    """One certification level, as course.yml writes it."""

    id: Text
    title: Text = Field(description="the tier's name on certificates and badges")
    min_passed: Annotated[StrictInt, Field(ge=1)] = Field(1, description="modules of the track to pass, at least")
    share_passed: Share = Field(0.0, description="share of the track's modules to pass, at least")
    min_average: Share = Field(0.0, description="average score over the passed modules, at least")
    min_contributions: Annotated[StrictInt, Field(ge=0)] = Field(
        0, description="the learner's notes in the library on the track's modules that were accepted, at least"
    )


class CertificationModel(FileModel):
    """The certification program: pass mark per module, validity, and tiers from lowest to highest."""

    pass_mark: Share = Field(Rules.pass_mark, description="the share of a module's points that passes it")
    valid_months: Annotated[StrictInt, Field(ge=1, le=120)] = Field(
        Rules.valid_months, description="how long a certificate lasts, in months"
    )
    tiers: items(TierModel, min_len=1) = Field(description="the tiers, from lowest to highest")

    @model_validator(mode="after")
    def _unique(self) -> CertificationModel:
        seen = set()
        for index, tier in enumerate(self.tiers):
            if tier.id in seen:
                raise invalid(f"tier {tier.id!r} is listed twice", at=f"tiers[{index}].id")
            seen.add(tier.id)
        return self

    def rules(self) -> Rules:
        """The program as graders.results.tiers applies it."""
        tiers = tuple(
            Tier(t.id, t.title, t.min_passed, t.share_passed, t.min_average, t.min_contributions) for t in self.tiers
        )
        return Rules(self.pass_mark, self.valid_months, tiers)


class _CertificationSection(BaseModel):
    """Only the manifest's certification section (the course root's copy of course.yml is checked when built)."""

    model_config = ConfigDict(extra="ignore")
    certification: CertificationModel | None = None


def load_rules(path: str | Path = MANIFEST) -> Rules:
    """The `certification` section of the manifest, validated; without one, the default program."""
    section = load_model(path, _CertificationSection).certification
    return section.rules() if section is not None else Rules()


def stated_pass_mark(path: str | Path = MANIFEST) -> float | None:
    """The pass mark the manifest's certification section states; None when it has no such section."""
    section = load_model(path, _CertificationSection).certification
    return section.pass_mark if section is not None else None
