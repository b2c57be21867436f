"""Open Badges 2.0 for certificates: an Issuer, a BadgeClass per track and tier, a hosted Assertion per learner.

Files are laid out to be published as they are under `base_url` (hosted verification: each id is the URL of its
own JSON). Recipient emails are hashed with a salt, as the specification allows, so the files name nobody.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CONTEXT = "https://w3id.org/openbadges/v2"
TIER_COLOURS = {"foundation": "#b08d57", "practitioner": "#9aa5b1", "expert": "#d4af37"}


def hashed_email(email: str, salt: str) -> str:
    """The Open Badges identity hash: 'sha256$' + hex digest of the lower-cased email followed by the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def issuer(base_url: str, name: str, email: str, url: str) -> dict:
    return {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": f"{base_url}/issuer.json",
        "name": name,
        "url": url,
        "email": email,
    }


def badge_class(base_url: str, track_id: str, track_title: str, tier_id: str, tier_title: str, criteria: str) -> dict:
    slug = f"{track_id}-{tier_id}"
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": f"{base_url}/badges/{slug}.json",
        "name": f"{track_title}: {tier_title}",
        "description": f"{tier_title} certification in social media for {track_title.lower()}.",
        "image": f"{base_url}/images/{slug}.png",
        "criteria": {"narrative": criteria},
        "issuer": f"{base_url}/issuer.json",
        "tags": ["social media", track_id, tier_id],
    }


def assertion(base_url: str, verification_id: str, badge_id: str, email: str, salt: str, issued, expires) -> dict:
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": f"{base_url}/assertions/{verification_id}.json",
        "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": hashed_email(email, salt)},
        "badge": badge_id,
        "verification": {"type": "HostedBadge"},
        "issuedOn": f"{issued.isoformat()}T00:00:00Z",
        "expires": f"{expires.isoformat()}T00:00:00Z",
    }


def badge_image(path: Path, tier_id: str, text: str) -> Path:
    """A simple round badge image (PNG, 256 px) in the tier's colour."""
    fig = plt.figure(figsize=(2.56, 2.56), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.add_patch(plt.Circle((0.5, 0.5), 0.46, color=TIER_COLOURS.get(tier_id, "#4c72b0")))
    ax.add_patch(plt.Circle((0.5, 0.5), 0.38, color="white"))
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=13, wrap=True)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, transparent=True)
    plt.close(fig)
    return path


def write_json(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
