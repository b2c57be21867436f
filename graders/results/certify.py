"""`smtk certify`: certificates (PDF), Open Badges, the re-certification list and xAPI exports for one course root."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from graders.course.certification import load_rules
from graders.course.manifest import course_manifest
from graders.course.root import Course
from graders.results import badges, badges_v3, xapi
from graders.results.certificate_pdf import write_certificate
from graders.results.cohort import track_summary
from graders.results.exercises import export_exercises
from graders.results.exports import grade_rows, write_grades
from graders.results.gradebook import learners, module_scores, modules_table
from graders.results.library_feed import accepted_contributions
from graders.results.tiers import award, expiring
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org


@dataclass
class CertifyResult:
    """What was written: the certificates table, the re-certification list and where the files are."""

    out: Path
    certificates: pd.DataFrame
    due: pd.DataFrame
    summary: pd.DataFrame
    statements: int
    credentials: int = 0  # Open Badges 3.0 credentials in the export
    withdrawn: int = 0  # of them, revoked or lapsed: set in the published status list


def certify(
    course: str | Path = ".",
    out: str | Path = "certificates",
    today: dt.date | None = None,
    within_days: int = 60,
    base_url: str | None = None,
    salt: str | None = None,
    exercises: str | Path | None = None,
    library: str | Path | None = None,
    revoke: list[tuple[str, str]] | None = None,
    reason: str = "",
) -> CertifyResult:
    """Award tiers from the course's gradebook and write every certificate, badge and export into `out`; with
    `exercises` (the live exercises' database: a SQLite file or PostgreSQL URL), each ended exercise's review PDF
    and its participants' xAPI statements too; with `library`, the accepted contributions tiers may ask for.
    `revoke` ((learner, track) pairs) withdraws those certificates as of `today`, recorded in the course root's
    credentials/revocations.csv with every earlier revocation."""
    root = Path(course).resolve()
    out = Path(out).resolve()
    today = today or dt.date.today()
    manifest = course_manifest(root)
    rules = load_rules(root / "course.yml")
    org = load_org(root / "org.yaml")
    base_url = (base_url or f"https://training.{org.slug}.example/smtk").rstrip("/")
    salt = salt or _salt(out)
    scores = module_scores(root)
    people = learners(root)
    shared = accepted_contributions(library, manifest) if library is not None else None
    certificates = award(scores, manifest, rules, shared)
    names = dict(zip(people["learner"], people["name"], strict=True))
    emails = dict(zip(people["learner"], people["email"], strict=True))
    tracks = {t.id: t for t in manifest.tracks}
    tiers = {t.id: t for t in rules.tiers}
    keys = root / "credentials"  # the issuer's key and the status list's book: kept, never published
    revocations = badges_v3.load_revocations(keys / badges_v3.REVOCATIONS_FILE)
    fresh = _revocations(certificates, revoke or [], today, reason)
    badges_v3.add_revocations(keys / badges_v3.REVOCATIONS_FILE, fresh)
    revocations += fresh

    issuer = badges.issuer(base_url, org.name, org.contacts["coe"].email, base_url)
    badges.write_json(out / "badges" / "issuer.json", issuer)
    did = badges_v3.did_web(base_url)
    signer = badges_v3.Signer(keys, did)
    badges.write_json(
        out / "badges" / badges_v3.did_document_path(base_url),
        badges_v3.did_document(did, signer.jwk, issuer["id"]),
    )
    profile = badges_v3.issuer_profile(did, org.name, issuer["email"], base_url, issuer["id"])
    status_url = f"{base_url}/{badges_v3.STATUS_LIST}"
    book = badges_v3.load_status(keys / badges_v3.STATUS_FILE)
    badges_v3.allocate(book, [r.verification_id for r in certificates.itertuples() if emails.get(r.learner)])
    credentials = 0
    for row in certificates.itertuples(index=False):
        track, tier = tracks[row.track], tiers[row.tier]
        slug = f"{row.track}-{row.tier}"
        criteria = (
            f"Pass at least {tier.needed(len(track.modules))} of the {len(track.modules)} modules of the "
            f"{track.title} track (each at {rules.pass_mark:.0%} or more, prerequisites first) with an "
            f"average of {tier.min_average:.0%} or more."
        )
        klass = badges.badge_class(base_url, row.track, track.title, row.tier, tier.title, criteria)
        badges.write_json(out / "badges" / "badges" / f"{slug}.json", klass)
        image = out / "badges" / "images" / f"{slug}.png"
        if not image.exists():
            badges.badge_image(image, row.tier, tier.title)
        if emails.get(row.learner):
            record = badges.assertion(
                base_url, row.verification_id, klass["id"], emails[row.learner], salt, row.issued, row.expires
            )
            status = book[row.verification_id]
            withdrawn = badges_v3.revoked_by(revocations, row.learner, row.track, row.issued)
            if withdrawn and not status.revoked_on:
                status.revoked_on, status.why = withdrawn.revoked_on.isoformat(), f"revoked: {withdrawn.reason}"
            elif row.expires <= today and not status.revoked_on:
                status.revoked_on, status.why = row.expires.isoformat(), "lapsed: re-certification due"
            if withdrawn:  # hosted 2.0 verification reads this
                record |= {"revoked": True, "revocationReason": withdrawn.reason or "revoked by the issuer"}
            badges.write_json(out / "badges" / "assertions" / f"{row.verification_id}.json", record)
            achieved = badges_v3.achievement(
                base_url, slug, klass["name"], klass["description"], criteria, klass["tags"], klass["id"]
            )
            badges.write_json(
                out / "badges" / "achievements" / f"{slug}.json", {"@context": badges_v3.CONTEXT[1:], **achieved}
            )
            signed = out / "badges" / "credentials" / f"{row.verification_id}.jwt"
            if not signed.exists():  # what was issued stays as issued; its status list bit tells what changed
                document = badges_v3.credential(
                    row.verification_id,
                    profile,
                    achieved,
                    badges_v3.identity(record["recipient"]["identity"], salt),
                    record["id"],
                    row.issued,
                    row.expires,
                    badges_v3.status_entry(status_url, status.index),
                )
                signed.parent.mkdir(parents=True, exist_ok=True)
                signed.write_text(signer.sign(document) + "\n", encoding="ascii")
            credentials += 1
        write_certificate(
            out / "pdf" / f"{row.learner}-{slug}.pdf",
            name=names.get(row.learner, row.learner),
            organisation=org.name,
            track=track.title,
            tier=tier.title,
            issued=row.issued,
            expires=row.expires,
            verification_id=row.verification_id,
            modules=[manifest.module(m).title for m in row.modules],
        )
    badges_v3.save_status(keys / badges_v3.STATUS_FILE, book)
    withdrawn_bits = [s.index for s in book.values() if s.revoked_on]
    status_list = out / "badges" / badges_v3.STATUS_LIST
    status_list.parent.mkdir(parents=True, exist_ok=True)
    status_list.write_text(
        signer.sign(badges_v3.status_list(status_url, did, withdrawn_bits, today)) + "\n", encoding="ascii"
    )
    table = (
        certificates.assign(name=certificates["learner"].map(names), modules=certificates["modules"].map(" ".join))
        if len(certificates)
        else certificates.assign(name=[])
    )
    table.to_csv(out / "certificates.csv", index=False)
    due = expiring(certificates, today, within_days)
    due.assign(email=due["learner"].map(emails)).drop(columns=["modules"]).to_csv(
        out / "recertification.csv", index=False
    )
    write_grades(grade_rows(Course(root)), out)
    summary = track_summary(scores, modules_table(manifest), people, certificates, rules.pass_mark)
    summary.to_csv(out / "track-summary.csv", index=False)
    items = xapi.statements(scores, people, manifest, base_url, rules.pass_mark)
    if exercises is not None:
        items += export_exercises(exercises, out, base_url).statements
    xapi.write_jsonl(out / "xapi-statements.jsonl", items)
    xapi.write_jsonl(out / "xapi-2.0-statements.jsonl", xapi.in_version(items, xapi.VERSION_2))
    return CertifyResult(out, certificates, due, summary, len(items), credentials, len(withdrawn_bits))


def _revocations(
    certificates: pd.DataFrame, pairs: list[tuple[str, str]], today: dt.date, reason: str
) -> list[badges_v3.Revocation]:
    """The revocations asked for, each checked to name a certificate the course awarded (before anything is written)."""
    held = set(zip(certificates["learner"], certificates["track"], strict=True))
    for learner, track in pairs:
        if (learner, track) not in held:
            raise DataError("--revoke", f"{learner}:{track}", f"{learner} holds no certificate for the track {track!r}")
    return [badges_v3.Revocation(learner, track, today, reason) for learner, track in pairs]


def _salt(out: Path) -> str:
    """One salt per output folder, kept so re-running gives the same hashed recipients."""
    path = out / "badges" / ".salt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(16)
    path.write_text(salt, encoding="utf-8")
    return salt
