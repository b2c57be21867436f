"""The fixed vocabularies of the triage simulation (who posts, where, about what, how bad) and where data files live.

Every categorical column of a post stream uses these names in this order, so the integer codes stay stable
between a stream, a policy and a recorded set of decisions.
"""

from __future__ import annotations

import pandas as pd

from simulations.common.datafiles import DATA
from simulations.common.decay import HALF_LIFE_HOURS

DATA_DIR = DATA / "triage"

AUTHORS = ("customer", "influencer", "journalist", "employee", "troll", "competitor", "regulator", "partner")
SENTIMENTS = ("positive", "neutral", "negative")

# True severity, hidden from the learner. "none" is harmless; everything from "low" up counts as negative reach.
SEVERITIES = ("none", "low", "medium", "high", "critical")

# What a post is about. The first nine follow the US Air Force "Web Posting Response Assessment" (2008) and the
# escalation triggers beyond it (legal, safety, regulators, leaks); the next three are governance breaches that a
# corporate programme trains employees and partners to avoid (FTC Endorsement Guides 16 CFR 255; brand rules); the
# last is a fake of our people or brand, which nobody answers before it is verified. New names go last, so that
# the codes of the others stay stable.
CATEGORIES = {
    "praise": "positive or balanced post about the organisation or a product",
    "question": "a neutral question that a factual answer settles",
    "mention": "a passing mention that needs nothing from us",
    "complaint": "an unhappy customer with a real problem",
    "rant": "a rager: rants, jokes or satire at our expense",
    "trolling": "a troll: an account or site that exists to bash",
    "misinformation": "wrong facts about us, stated in good or bad faith",
    "legal_threat": "a threat of legal action or a claim that we broke the law",
    "safety": "someone may be hurt: injury, fire, poisoning, a dangerous defect",
    "regulatory": "a regulator's inquiry, or a post about one",
    "confidential_leak": "confidential or material non-public information made public",
    "undisclosed_endorsement": "a paid, gifted or employee endorsement without a clear disclosure",
    "unauthorised_account": "a partner or franchisee runs an account in the brand's name without approval",
    "off_brand": "an employee's or executive's post that hurts the brand",
    "synthetic_media": (
        "a video, voice, image or screenshot of our people or brand that may be fabricated or AI-made, a post "
        "sharing or asking about one, or an account impersonating us with it"
    ),
}

# Attention half-life per platform in hours: half of the attention a post gets arrives within this time.
# x, facebook, youtube: the sourced half-lives (Bitly, 2011; simulations.common.decay).
# instagram, linkedin, tiktok: no published figure in our sources; we assume Facebook's (unverified).
PLATFORM_HALF_LIFE_H = {name.lower(): hours for name, hours in HALF_LIFE_HOURS.items()} | {
    name: HALF_LIFE_HOURS["Facebook"] for name in ("instagram", "linkedin", "tiktok")
}
PLATFORMS = tuple(PLATFORM_HALF_LIFE_H)
CATEGORY_NAMES = tuple(CATEGORIES)

AUTHOR_DTYPE = pd.CategoricalDtype(AUTHORS)
SENTIMENT_DTYPE = pd.CategoricalDtype(SENTIMENTS)
SEVERITY_DTYPE = pd.CategoricalDtype(SEVERITIES, ordered=True)
CATEGORY_DTYPE = pd.CategoricalDtype(CATEGORY_NAMES)
PLATFORM_DTYPE = pd.CategoricalDtype(PLATFORMS)

# Columns of a post that a learner may see (and that a learner-written `route(post)` receives).
PUBLIC_COLUMNS = ("post_id", "time_s", "platform", "author", "category", "sentiment", "followers", "text")
