"""The certification program a course runs: pass mark, validity and tiers, from the `certification:` section of
course.yml (defaults when it has none). graders.results.tiers awards them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from graders.paths import MANIFEST
from simulations.common.validate import load_yaml


@dataclass(frozen=True)
class Tier:
    """One certification level: at least `min_passed` modules and `share_passed` of the track, at `min_average`."""

    id: str
    title: str
    min_passed: int
    share_passed: float
    min_average: float

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


def load_rules(path: str | Path = MANIFEST) -> Rules:
    """The `certification` section of the manifest, validated; without one, the default program."""
    root = load_yaml(path)
    if not root.has("certification"):
        return Rules()
    section = root.get("certification")
    section.only(["pass_mark", "valid_months", "tiers"])
    defaults = Rules()
    tiers = []
    for tf in section.get("tiers").items(min_len=1):
        tf.only(["id", "title", "min_passed", "share_passed", "min_average"])
        tier = Tier(
            id=tf.get("id").str(),
            title=tf.get("title").str(),
            min_passed=tf.get("min_passed", 1).int(min=1),
            share_passed=tf.get("share_passed", 0.0).float(min=0, max=1),
            min_average=tf.get("min_average", 0.0).float(min=0, max=1),
        )
        if any(t.id == tier.id for t in tiers):
            tf.get("id").fail(f"tier {tier.id!r} is listed twice")
        tiers.append(tier)
    return Rules(
        pass_mark=section.get("pass_mark", defaults.pass_mark).float(min=0, max=1),
        valid_months=section.get("valid_months", defaults.valid_months).int(min=1, max=120),
        tiers=tuple(tiers),
    )
