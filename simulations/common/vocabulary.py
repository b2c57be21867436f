"""The kit's shared vocabulary, one home each: industries, platforms, risk appetites, contact roles, business units.

The five tracks (audiences) have their own home in `simulations.common.audiences`.
"""

from __future__ import annotations

INDUSTRIES = (
    "consumer-goods",
    "financial-services",
    "healthcare",
    "technology",
    "retail",
    "restaurants",
    "telecom",
    "manufacturing",
    "public-sector",
    "professional-services",
    "other",
)
# The platforms an organisation's profile may name, as their owners write them.
PLATFORMS = ("LinkedIn", "Instagram", "Facebook", "X", "TikTok", "YouTube", "Reddit", "Threads", "Bluesky", "WhatsApp")
RISK_APPETITES = ("low", "moderate", "high")
# The teams a profile gives contacts for; triage routes and whom-to-ask name them too.
CONTACT_ROLES = ("coe", "legal", "pr", "security", "hr", "customer_care", "crisis")
# The business units (the hub's spokes) that case examples and KPI frameworks are written for.
UNITS = ("hr", "support", "product", "regions")
UNIT_LABELS = {"hr": "HR", "support": "Customer support", "product": "Product", "regions": "Regional teams"}
# The jurisdictions whose legal facts the course shows (a fact's scope, a profile's jurisdictions).
JURISDICTIONS = ("US", "EU", "UK")
