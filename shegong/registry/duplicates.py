"""Duplicate persons (查重): find pairs that may be the same human, and let a reviewer decide.

Detection reads the registry in blocks of one birth date (the ID number fixes it), and inside a
block by name and by county, so it never compares more than a handful of people at a time and
streams through millions of rows. Two rules, scored by the `duplicates` rule set in force on the
day detection runs (each pair records the version):

- the same name and the same birth date, anywhere in the province: a high score;
- names that sound alike (pinyin from `names.name_key`, surnames such as 曾 read as surnames,
  compared as written and after folding the sounds Henan speech and pinyin input mix up), in the
  same county and with the same birth date: a medium score.

A decided pair is never proposed again: its row stays, and the pair is unique.

Decisions: merge (one record removed, kept whole in `MergeRecord.removed_snapshot`, undoable)
or distinct. Both lock the candidate so two reviewers cannot decide the same pair at once.
"""

from __future__ import annotations

import datetime
import difflib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from itertools import combinations, groupby
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from shegong.core import audit
from shegong.core.idnumbers import mask_citizen_id
from shegong.core.models import Region, TaskProgress
from shegong.core.roles import Perm
from shegong.core.rulesets import RuleValues, rules_for
from shegong.core.scoping import access, can, prefixes_q
from shegong.core.tasks import progress_update, run_tracked

from .codes import Relation
from .models import DuplicateCandidate, DuplicateStatus, Household, MergeRecord, Person
from .names import name_key
from .rulesets import DUPLICATES
from .services import recount_members  # the household changes' own member count and version


def _load_rapidfuzz() -> Callable[..., float] | None:
    """rapidfuzz's ratio when installed (much faster); difflib gives the same kind of ratio."""
    try:
        from rapidfuzz.fuzz import ratio
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return ratio


_rapid_ratio = _load_rapidfuzz()

audit.register_actions(
    {
        "registry.duplicate_merge": gettext_lazy("合并重复人员"),
        "registry.duplicate_unmerge": gettext_lazy("撤销合并重复人员"),
        "registry.duplicate_distinct": gettext_lazy("确认为不同的人"),
    }
)

# How many persons of the scope are read before the outside neighbours are looked up and the
# new pairs written; keeps every IN (...) list well below the databases' parameter limits.
BATCH_PERSONS = 500
PROGRESS_EVERY = 5000


class PersonFacts(NamedTuple):
    """What detection reads of a person: one row of `values_list`."""

    id: int
    name: str
    birth_date: datetime.date
    region_id: str
    sex: str


FIELDS = ("id", "name", "birth_date", "region_id", "sex")


# --- the rules (pure) ----------------------------------------------------------------------


def _clean(name: str) -> str:
    return "".join(name.split())


def _facts(row: tuple) -> PersonFacts:
    return PersonFacts(row[0], _clean(row[1]), *row[2:])


def name_similarity(a: str, b: str, cutoff: float = 0.0) -> float:
    """0–100, how alike two strings are (normalised indel distance, as difflib's ratio);
    0 when below `cutoff`, which lets rapidfuzz stop early."""
    if _rapid_ratio is not None:
        return float(_rapid_ratio(a, b, score_cutoff=cutoff))
    score = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() * 100
    return score if score >= cutoff else 0.0


Folds = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def folds_of(rules: Mapping[str, Any]) -> Folds:
    """The rule set's 模糊音 (initials, finals) in a hashable form, for the name cache."""
    return tuple(rules["fuzzy_initials"].items()), tuple(rules["fuzzy_finals"].items())


def fuzzy_key(key: str, folds: Folds) -> str:
    """`zhang ying` → `zan yin`: fold the sounds people confuse (模糊音), one syllable at a time."""
    initials, finals = folds
    out = []
    for syllable in key.split():
        for initial, folded in initials:
            if syllable.startswith(initial):
                syllable = folded + syllable[len(initial) :]
                break
        for final, folded in finals:
            if syllable.endswith(final):
                syllable = syllable[: -len(final)] + folded
                break
        out.append(syllable)
    return " ".join(out)


@lru_cache(maxsize=65536)
def name_sounds(name: str, folds: Folds) -> tuple[str, str]:
    """The pinyin of a name (surnames read as surnames), as written and folded."""
    key = name_key(name)
    return key, fuzzy_key(key, folds)


def sound_similarity(a: tuple[str, str], b: tuple[str, str], cutoff: float = 0.0) -> float:
    """How alike two names sound: the better of the pinyin as written and folded."""
    return max(name_similarity(a[0], b[0], cutoff), name_similarity(a[1], b[1], cutoff))


def pair_verdict(
    a: PersonFacts, b: PersonFacts, rules: Mapping[str, Any]
) -> tuple[Decimal, list[str]] | None:
    """Score (0–100) and reasons when two persons may be the same human, else None.
    `rules` is the `duplicates` rule set in force."""
    if a.birth_date != b.birth_date or a.id == b.id:
        return None
    same_county = a.region_id[:6] == b.region_id[:6]
    name_a, name_b = _clean(a.name), _clean(b.name)
    if name_a == name_b:
        score = float(
            rules["same_name_score"] if same_county else rules["same_name_other_county_score"]
        )
        reasons = ["姓名相同、出生日期相同"]
    elif same_county:
        folds = folds_of(rules)
        sounds_a, sounds_b = name_sounds(name_a, folds), name_sounds(name_b, folds)
        threshold = rules["pinyin_threshold"]
        similarity = sound_similarity(sounds_a, sounds_b, threshold)
        if similarity < threshold:
            return None
        low, high = rules["pinyin_score_min"], rules["pinyin_score_max"]
        score = low + (similarity - threshold) / (100 - threshold) * (high - low)
        reasons = [f"姓名读音相近({sounds_a[0]} / {sounds_b[0]})、同县、出生日期相同"]
    else:
        return None
    if a.sex != b.sex:
        score -= rules["sex_differs_penalty"]
        reasons.append("性别不同")
    return Decimal(str(round(max(score, 0.0), 2))), reasons


Pair = tuple[PersonFacts, PersonFacts, Decimal, list[str]]


def block_pairs(
    inside: list[PersonFacts], outside: Iterable[PersonFacts], rules: Mapping[str, Any]
) -> Iterator[Pair]:
    """Pairs among persons born on one day, the first always with the smaller id.

    `inside` are the persons of the run's scope; `outside` those beyond it (born the same day,
    with the same name or in the same county) to pair with them, never with each other. Only
    persons with the same name, or in the same county, are compared at all.
    """
    tagged = [(p, True) for p in inside] + [(p, False) for p in outside]
    by_name: dict[str, list[tuple[PersonFacts, bool]]] = defaultdict(list)
    by_county: dict[str, list[tuple[PersonFacts, bool]]] = defaultdict(list)
    for person, is_inside in tagged:
        by_name[_clean(person.name)].append((person, is_inside))
        by_county[person.region_id[:6]].append((person, is_inside))
    candidates: list[tuple[PersonFacts, PersonFacts]] = []
    for same_name in by_name.values():
        candidates += [
            (p, q) for (p, p_in), (q, q_in) in combinations(same_name, 2) if p_in or q_in
        ]
    threshold = rules["pinyin_threshold"]
    folds = folds_of(rules)
    for county in by_county.values():
        if len(county) < 2:
            continue
        # Different names only (the same name was paired above); each name read once.
        names = [_clean(p.name) for p, _in in county]
        sounds = [name_sounds(name, folds) for name in names]
        for i, j in combinations(range(len(county)), 2):
            (p, p_in), (q, q_in) = county[i], county[j]
            if (
                (p_in or q_in)
                and names[i] != names[j]
                and sound_similarity(sounds[i], sounds[j], threshold) >= threshold
            ):
                candidates.append((p, q))
    for p, q in candidates:
        a, b = (p, q) if p.id < q.id else (q, p)
        verdict = pair_verdict(a, b, rules)
        if verdict is not None:
            yield a, b, verdict[0], verdict[1]


# --- the job -------------------------------------------------------------------------------


def find_duplicates(*, region_prefix: str = "41", progress: TaskProgress | None = None) -> int:
    """Propose every new likely-duplicate pair with at least one person in `region_prefix`.

    Returns how many pairs were added. Pairs already known, pending or decided, are left as
    they are; running it twice adds nothing the second time.
    """
    prefix = region_prefix or "41"
    rules = rules_for(DUPLICATES, timezone.localdate())
    scope = Person.objects.filter(prefixes_q("region_id", [prefix]))
    base = progress.done if progress is not None else 0
    if progress is not None:
        progress_update(progress, total=base + scope.count())
    rows = (
        _facts(row)
        for row in scope.order_by("birth_date", "region_id", "id")
        .values_list(*FIELDS)
        .iterator(chunk_size=2000)
    )
    added = read = 0
    batch: list[list[PersonFacts]] = []
    batch_size = 0
    last_report = 0
    for _day, block in groupby(rows, key=lambda p: p.birth_date):
        persons = list(block)
        batch.append(persons)
        batch_size += len(persons)
        if batch_size >= BATCH_PERSONS:
            added += _detect_batch(prefix, batch, rules)
            read += batch_size
            batch, batch_size = [], 0
            if progress is not None and read - last_report >= PROGRESS_EVERY:
                progress_update(progress, done=base + read)
                last_report = read
    if batch:
        added += _detect_batch(prefix, batch, rules)
        read += batch_size
    if progress is not None:
        progress_update(progress, done=base + read)
    return added


def _outside_neighbours(prefix: str, blocks: list[list[PersonFacts]]) -> dict[Any, list]:
    """Persons beyond the prefix born on the batch's days who could pair with someone in it:
    the same name anywhere in the province, or (for a scope below a county) the same county."""
    if len(prefix) <= 2:
        return {}
    first, last = blocks[0][0].birth_date, blocks[-1][0].birth_date
    near = Q(name__in={p.name for block in blocks for p in block})
    if len(prefix) > 6:
        near |= prefixes_q("region_id", [prefix[:6]])
    rows = (
        Person.objects.filter(birth_date__gte=first, birth_date__lte=last)
        .filter(near)
        .exclude(prefixes_q("region_id", [prefix]))
        .values_list(*FIELDS)
    )
    found: dict[Any, list] = defaultdict(list)
    for row in rows:
        person = _facts(row)
        found[person.birth_date].append(person)
    return found


def _detect_batch(prefix: str, blocks: list[list[PersonFacts]], rules: RuleValues) -> int:
    outside = _outside_neighbours(prefix, blocks)
    found: dict[tuple[int, int], DuplicateCandidate] = {}
    for block in blocks:
        for a, b, score, reasons in block_pairs(block, outside.get(block[0].birth_date, ()), rules):
            found[(a.id, b.id)] = DuplicateCandidate(
                person_a_id=a.id,
                person_b_id=b.id,
                region_id=a.region_id,
                region_b_id=b.region_id,
                score=score,
                reasons=reasons,
                rules_id=rules.pk,
            )
    if not found:
        return 0
    firsts = {a for a, _b in found}
    seconds = {b for _a, b in found}
    known = set(
        DuplicateCandidate.objects.filter(
            person_a_id__in=firsts, person_b_id__in=seconds
        ).values_list("person_a_id", "person_b_id")
    )
    new = [c for key, c in found.items() if key not in known]
    # ignore_conflicts: another run may have written the same pair since we looked.
    DuplicateCandidate.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@task()
def duplicates_detect(progress_id: str, prefixes: list[str]) -> None:
    """Background detection over an actor's jurisdiction (one prefix after another)."""

    def work(progress: TaskProgress) -> None:
        added = sum(find_duplicates(region_prefix=p, progress=progress) for p in prefixes)
        progress_update(
            progress, message=_("发现 %(count)d 对新的疑似重复人员。") % {"count": added}
        )

    run_tracked(progress_id, work)


# --- reads ---------------------------------------------------------------------------------


def merge_record_get(*, actor: Any, pk: Any) -> MergeRecord:
    return access(
        MergeRecord.objects.select_related("candidate"), actor, Perm.REVIEW_DUPLICATES, pk=pk
    )


def merge_of(candidate: DuplicateCandidate) -> MergeRecord | None:
    """The merge of a pair the actor already may see (the pair's page shows it)."""
    return MergeRecord.objects.select_related("merged_by").filter(candidate=candidate).first()


def households_open_to(*, actor: Any, persons: Iterable[Person | None]) -> list[bool]:
    """For each person, whether the actor may see their household whole. A pair across
    counties shows to both offices, but each sees of the other county's side only what
    deciding the pair needs (name, sex, birth year, masked number, county)."""
    people = list(persons)
    ids = {p.household_id for p in people if p is not None}
    open_ids = set(
        Household.objects.visible_to(actor, Perm.VIEW_REGISTRY)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return [p is not None and p.household_id in open_ids for p in people]


def county_names(region_codes: Iterable[str]) -> dict[str, str]:
    """{county prefix (6 digits): county name} for the regions given."""
    counties = {code[:6].ljust(12, "0") for code in region_codes if code}
    return {
        code[:6]: name
        for code, name in Region.objects.filter(pk__in=counties).values_list("code", "name")
    }


# --- decisions -----------------------------------------------------------------------------


def _lock_pending(candidate: DuplicateCandidate) -> DuplicateCandidate:
    locked = DuplicateCandidate.objects.select_for_update().filter(pk=candidate.pk).first()
    if locked is None or locked.status != DuplicateStatus.PENDING:
        raise ValidationError(_("该疑似重复已由他人处理。"), code="decided")
    return locked


def _require_review(actor: Any, candidate: DuplicateCandidate) -> None:
    if not (
        can(actor, Perm.REVIEW_DUPLICATES, candidate.region_id)
        or can(actor, Perm.REVIEW_DUPLICATES, candidate.region_b_id)
    ):
        raise PermissionDenied(_("您无权核查该疑似重复人员。"))


def _decide(candidate: DuplicateCandidate, actor: Any, status: str) -> None:
    candidate.status = status
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])


PERSON_SNAPSHOT_FIELDS = [f.name for f in Person._meta.concrete_fields]


@transaction.atomic
def duplicate_merge(*, actor: Any, candidate: DuplicateCandidate, keep_id: int | None) -> Person:
    """Keep one person of the pair and remove the other from the registry.

    The removed person's every field goes into the merge record, so `merge_undo` can bring
    them back. Other pending pairs about the removed person are dropped (there is nobody left
    to compare); decided pairs keep their decision and get the person back on undo.
    """
    candidate = _lock_pending(candidate)
    _require_review(actor, candidate)
    if candidate.person_a_id is None or candidate.person_b_id is None:
        raise ValidationError(_("这一对中有人已不在建档立卡系统中,无需合并。"), code="gone")
    ids: tuple[int, int] = (candidate.person_a_id, candidate.person_b_id)
    if keep_id not in ids:
        raise ValidationError(_("请选择要保留的人员。"), code="keep")
    removed_id = ids[1] if keep_id == ids[0] else ids[0]
    kept = Person.objects.get(pk=keep_id)
    # Household before person, the order the household changes lock in (no deadlock).
    household_id = Person.objects.values_list("household_id", flat=True).get(pk=removed_id)
    household = Household.objects.select_for_update().get(pk=household_id)
    removed = Person.objects.select_for_update().get(pk=removed_id)
    if removed.household_id != household.pk:
        raise ValidationError(_("该人员刚被迁入其他户,请刷新页面后重新操作。"), code="moved")
    if not can(actor, Perm.REVIEW_DUPLICATES, removed.region_id):
        raise PermissionDenied(
            _("要删除的人员不在您的管辖范围内。请改为保留该人员,或请其所在地处理。")
        )
    if removed.relation == Relation.HEAD:
        raise ValidationError(
            _(
                "%(name)s 是户编号 %(number)s 的户主,不能直接删除。"
                "请先在该户变更户主,或改为保留此人。"
            )
            % {"name": removed.name, "number": household.number},
            code="head",
        )
    touching = list(
        DuplicateCandidate.objects.select_for_update()
        .filter(Q(person_a_id=removed.pk) | Q(person_b_id=removed.pk))
        .exclude(pk=candidate.pk)
    )
    DuplicateCandidate.objects.filter(
        pk__in=[c.pk for c in touching if c.status == DuplicateStatus.PENDING]
    ).delete()
    kept_pairs = [c for c in touching if c.status != DuplicateStatus.PENDING] + [candidate]
    pairs = [[c.pk, "a" if c.person_a_id == removed.pk else "b"] for c in kept_pairs]
    _decide(candidate, actor, DuplicateStatus.MERGED)
    # The decided pairs outlive the person: their side is emptied, and restored on undo.
    DuplicateCandidate.objects.filter(person_a_id=removed.pk).update(person_a=None)
    DuplicateCandidate.objects.filter(person_b_id=removed.pk).update(person_b=None)
    snapshot = {
        "person": audit.snapshot(removed, PERSON_SNAPSHOT_FIELDS),
        "household_number": household.number,
        "pairs": pairs,
    }
    try:
        removed.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("%(name)s 的记录还被其他业务记录引用,不能删除。请改为保留此人。")
            % {"name": removed.name},
            code="protected",
        ) from exc
    recount_members(household)
    defaults = {
        "kept": kept,
        "removed_snapshot": snapshot,
        "region_id": household.region_id,
        "merged_by": actor,
        "merged_at": timezone.now(),
        "undone_at": None,
    }
    # One record per pair: a merge that was undone and is done again reuses it (the audit
    # trail keeps both).
    MergeRecord.objects.update_or_create(candidate=candidate, defaults=defaults)
    audit.record(
        actor=actor,
        action="registry.duplicate_merge",
        target=household,
        changes={
            "candidate": candidate.pk,
            "kept": {"id": kept.pk, "name": kept.name, "household": kept.household_id},
            "removed": {
                "id": removed_id,
                "name": removed.name,
                "id_number": mask_citizen_id(removed.id_number),
                "relation": removed.relation,
            },
            "score": candidate.score,
            "reasons": candidate.reasons,
        },
    )
    return kept


@transaction.atomic
def duplicate_mark_distinct(*, actor: Any, candidate: DuplicateCandidate) -> DuplicateCandidate:
    """The two are different people: the pair is closed and never proposed again."""
    candidate = _lock_pending(candidate)
    _require_review(actor, candidate)
    _decide(candidate, actor, DuplicateStatus.DISTINCT)
    audit.record(
        actor=actor,
        action="registry.duplicate_distinct",
        target=candidate,
        changes={
            "persons": [candidate.person_a_id, candidate.person_b_id],
            "score": candidate.score,
            "reasons": candidate.reasons,
        },
    )
    return candidate


def _person_from_snapshot(fields: dict[str, Any]) -> Person:
    person = Person()
    for field in Person._meta.concrete_fields:
        if field.name in fields:
            value = fields[field.name]
            setattr(person, field.attname, None if value is None else field.to_python(value))
    return person


@transaction.atomic
def merge_undo(*, actor: Any, record: MergeRecord) -> Person:
    """Bring the removed person back (same record id, ID number and household) and put the
    pair back in the review queue, with the decisions about them that the merge set aside."""
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError(_("该合并已经撤销。"), code="undone")
    if not can(actor, Perm.REVIEW_DUPLICATES, record.region_id):
        raise PermissionDenied(_("您无权撤销该合并。"))
    fields = (record.removed_snapshot or {}).get("person")
    if not fields or not {"id", "id_number", "household"} <= set(fields):
        raise ValidationError(_("合并记录不完整,无法撤销。"), code="snapshot")
    person = _person_from_snapshot(fields)
    household = Household.objects.select_for_update().filter(pk=person.household_id).first()
    if household is None:
        raise ValidationError(
            _("原所属户(户编号 %(number)s)已不存在,无法撤销合并。")
            % {"number": record.removed_snapshot.get("household_number", "")},
            code="household",
        )
    if Person.objects.filter(Q(id_number=person.id_number) | Q(pk=person.pk)).exists():
        raise ValidationError(
            _("证件号码 %(number)s 已有人员登记,无法撤销合并。")
            % {"number": mask_citizen_id(person.id_number)},
            code="id_number",
        )
    person.region_id = household.region_id
    person.save(force_insert=True)
    for pair_id, side in record.removed_snapshot.get("pairs", []):
        if side in ("a", "b"):
            DuplicateCandidate.objects.filter(
                pk=pair_id, **{f"person_{side}__isnull": True}
            ).update(**{f"person_{side}_id": person.pk})
    DuplicateCandidate.objects.filter(pk=record.candidate_id).update(
        status=DuplicateStatus.PENDING, decided_by=None, decided_at=None
    )
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    recount_members(household)
    audit.record(
        actor=actor,
        action="registry.duplicate_unmerge",
        target=household,
        changes={
            "candidate": record.candidate_id,
            "merge": record.pk,
            "restored": {
                "id": person.pk,
                "name": person.name,
                "id_number": mask_citizen_id(person.id_number),
            },
        },
    )
    return person
