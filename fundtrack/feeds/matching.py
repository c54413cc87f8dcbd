"""Passing calls on to the organisations they fit, in Danish and in English.

Words are compared by their stems (Snowball's Danish and English stemmers), so "caféer" finds "café" and
"grønne haver" finds "grøn have". A Danish compound holds its parts: "genbrugsværksted" matches "genbrug"
and "værksted", and an excluded word keeps away its compounds too ("kunst" keeps away "Kunstfonden" and
"genbrugskunst"). A call also serves the UN goals whose words its text holds (a list per goal in both
languages, which the fundraiser may edit), and fits an organisation that works for the same goals.

Every match keeps the words or goals that made it. When an organisation's interests change, or the goal
words do, the open calls are matched again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer
from peewee import chunked, fn

from fundtrack import clock
from fundtrack.audit import services as audit
from fundtrack.db import bulk_insert, db, one_of
from fundtrack.feeds.models import Call, CallDeadline, CallMatch, GoalWords
from fundtrack.organisations import events as organisation_events
from fundtrack.organisations.models import Organisation
from fundtrack.tags import UN_GOALS, parse_tags

WORD = re.compile(r"\w+")
# A compound's first part may be as short as "mad" (madskole) when at least four letters follow it ("ung" is
# no part of "Ungarn"); its last part must have four letters itself.
HEAD_PART, HEAD_REST = 3, 4
TAIL_PART, TAIL_REST = 4, 3
OPEN_STATUSES = ("new", "relevant")
BATCH = 500

# The words by which a call's text shows that it serves a goal, until the fundraiser edits them.
DEFAULT_GOAL_WORDS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    1: (("fattigdom", "hjemløs", "hjemløshed", "socialt udsatte", "økonomisk udsatte"), ("poverty", "homeless", "deprivation")),
    2: (("sult", "fødevarer", "fødevaresikkerhed", "madhjælp", "landbrug"), ("hunger", "food security", "nutrition", "farming")),
    3: (
        ("sundhed", "trivsel", "mental sundhed", "psykisk sårbar", "ensomhed", "misbrug", "rehabilitering"),
        ("health", "wellbeing", "mental health", "loneliness", "addiction"),
    ),
    4: (
        ("uddannelse", "læring", "undervisning", "opkvalificering", "kompetenceudvikling", "skole"),
        ("education", "learning", "training", "skills", "school"),
    ),
    5: (("ligestilling", "kvinder", "køn"), ("gender", "women", "girls")),
    6: (("drikkevand", "spildevand", "vandmiljø"), ("clean water", "sanitation")),
    7: (("vedvarende energi", "energi", "solceller", "vindmølle"), ("renewable energy", "energy", "solar")),
    8: (
        ("beskæftigelse", "arbejdsmarked", "fleksjob", "ledighed", "job", "socialøkonomi", "socialøkonomisk"),
        ("employment", "jobs", "labour market", "unemployed", "social enterprise", "decent work"),
    ),
    9: (("innovation", "iværksætteri", "iværksætter", "infrastruktur"), ("innovation", "entrepreneurship", "infrastructure")),
    10: (
        ("ulighed", "inklusion", "integration", "handicap", "flygtning", "minoritet"),
        ("inequality", "inclusion", "integration", "disability", "refugee", "minority"),
    ),
    11: (
        ("lokalsamfund", "landdistrikt", "boligområde", "nærmiljø", "byudvikling", "fællesskab"),
        ("community", "rural", "neighbourhood", "housing", "urban"),
    ),
    12: (
        ("genbrug", "cirkulær økonomi", "affald", "madspild", "reparation", "upcycling"),
        ("recycling", "circular economy", "waste", "repair", "reuse", "upcycling"),
    ),
    13: (("klima", "klimaforandring", "co2", "grøn omstilling"), ("climate", "carbon", "emissions", "green transition")),
    14: (("havmiljø", "fjord", "ålegræs", "fiskeri", "kystnatur"), ("ocean", "marine", "fisheries", "coastal")),
    15: (("natur", "biodiversitet", "skov", "naturpleje", "dyreliv"), ("nature", "biodiversity", "forest", "wildlife")),
    16: (
        ("kriminalitet", "demokrati", "medborgerskab", "tryghed", "retssikkerhed"),
        ("crime", "justice", "democracy", "citizenship", "safety"),
    ),
    17: (("partnerskab", "samarbejde", "frivillig", "frivillige"), ("partnership", "cooperation", "collaboration", "volunteer")),
}


@lru_cache(maxsize=1)
def _stemmers():
    return Stemmer.Stemmer("danish"), Stemmer.Stemmer("english")


@lru_cache(maxsize=100_000)
def stems(word: str) -> tuple[str, str]:
    """A lower-case word's Danish and English stems."""
    danish, english = _stemmers()
    return danish.stemWord(word), english.stemWord(word)


def words_of(text: str) -> list[str]:
    return WORD.findall((text or "").lower())


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for, as someone wrote it, and whose it is (an organisation, or a UN goal)."""

    text: str
    owner: int  # an organisation's id, or a goal's number
    excluding: bool = False


@dataclass
class _Index:
    """Terms by their stems: one word by each of its stems, a phrase by its stems in a row."""

    single: dict[str, list[Term]] = field(default_factory=dict)
    phrases: list[tuple[str, str, Term]] = field(default_factory=list)  # (" danish stems ", " english stems ", term)

    def add(self, term: Term) -> None:
        words = words_of(term.text)
        if len(words) == 1:
            for stem in set(stems(words[0])) | {words[0]}:
                self.single.setdefault(stem, []).append(term)
        elif words:
            pairs = [stems(w) for w in words]
            self.phrases.append((" ".join(p[0] for p in pairs), " ".join(p[1] for p in pairs), term))


class Matcher:
    """Finds the terms in a text. Built once for a run over many calls: what a word holds is worked out once."""

    def __init__(self, terms: list[Term]):
        self.index = _Index()
        for term in terms:
            self.index.add(term)
        self.parts = {stem for stem in self.index.single if len(stem) >= HEAD_PART}
        self.seen: dict[str, list[tuple[Term, str]]] = {}

    def _in_word(self, word: str) -> list[tuple[Term, str]]:
        """The single-word terms a word holds: by its stems, or as a part of a compound."""
        found = self.seen.get(word)
        if found is not None:
            return found
        danish, english = stems(word)
        keys = {word, danish, english}
        for stem in {danish, word}:
            for cut in range(HEAD_PART, len(stem) - HEAD_REST + 1):
                if stem[:cut] in self.parts:
                    keys.add(stem[:cut])
            for cut in range(TAIL_REST, len(stem) - TAIL_PART + 1):
                if stem[cut:] in self.parts:
                    keys.add(stem[cut:])
        found = [(term, word) for key in keys for term in self.index.single.get(key, ())]
        self.seen[word] = found
        return found

    def find(self, text: Text) -> dict[Term, str]:
        """The terms in `text`, each with the word of the text that held it."""
        found: dict[Term, str] = {}
        for word in text.distinct:
            for term, holder in self._in_word(word):
                found.setdefault(term, holder)
        if self.index.phrases:
            danish, english = text.stemmed
            for danish_phrase, english_phrase, term in self.index.phrases:
                if f" {danish_phrase} " in danish or f" {english_phrase} " in english:
                    found.setdefault(term, term.text)
        return found


class Text:
    """A call's text split into words once, for every matcher that reads it."""

    def __init__(self, text: str):
        self.words = words_of(text)
        self.distinct = set(self.words)
        self._stemmed: tuple[str, str] | None = None

    @property
    def stemmed(self) -> tuple[str, str]:
        """The text's Danish stems and its English stems, each as one spaced string, for finding phrases."""
        if self._stemmed is None:
            pairs = [stems(w) for w in self.words]
            self._stemmed = (" " + " ".join(p[0] for p in pairs) + " ", " " + " ".join(p[1] for p in pairs) + " ")
        return self._stemmed


def reason_of(term: Term, holder: str) -> str:
    """How a match shows the word that made it: the term, and the word of the call when it differs."""
    return term.text if words_of(term.text) == [holder] or holder == term.text else f"{term.text} ({holder})"


# The goal words.


def goal_words() -> dict[int, tuple[list[str], list[str]]]:
    """Each goal's Danish and English words: the fundraiser's where edited, else the defaults."""
    words = {goal: (list(da), list(en)) for goal, (da, en) in DEFAULT_GOAL_WORDS.items()}
    for row in GoalWords.select():
        words[row.goal] = (list(row.words_da), list(row.words_en))
    return words


def goal_terms() -> list[Term]:
    return [Term(word, goal) for goal, (da, en) in goal_words().items() for word in [*da, *en] if word.strip()]


def save_goal_words(edited: dict[int, tuple[list[str], list[str]]], *, actor, now: dt.datetime) -> int:
    """Keep the fundraiser's goal words (a goal set back to its defaults loses its row), then match the open
    calls again. Returns how many calls' goals or matches changed."""
    with db.atomic():
        current = {row.goal: row for row in GoalWords.select()}
        for goal, (da, en) in edited.items():
            if goal not in UN_GOALS:
                continue
            da, en = _clean_words(da), _clean_words(en)
            row = current.get(goal)
            if (tuple(da), tuple(en)) == DEFAULT_GOAL_WORDS.get(goal):
                if row is not None:
                    audit.record_delete(actor, row, now)
                    row.delete_instance()
                continue
            if row is None:
                row = GoalWords.create(goal=goal, words_da=da, words_en=en, updated_at=now)
                audit.record_create(actor, row, now)
            else:
                audit.save_changes(row, {"words_da": da, "words_en": en}, actor=actor, now=now)
        return rematch_open_calls(now=now)


GOAL_WORDS_LIMIT = 2000  # characters of one goal's words in one language
WORD_LIMIT = 60


def too_long_goal_words(typed: dict[str, str]) -> list[str]:
    """The goals (as numbers, in order) whose typed words are longer than a goal's list or a word may be."""
    goals = set()
    for name, text in typed.items():
        if len(text) > GOAL_WORDS_LIMIT or any(len(word) > WORD_LIMIT for word in parse_tags(text)):
            goals.add(int(name.partition("_")[2]) if name.partition("_")[2].isdecimal() else 0)
    return [str(goal) for goal in sorted(goals)]


def _clean_words(words) -> list[str]:
    seen, result = set(), []
    for word in words:
        word = " ".join(str(word).lower().split())[:WORD_LIMIT]
        if word and word not in seen:
            seen.add(word)
            result.append(word)
    return result


# Matching.


def organisation_terms(organisations) -> tuple[list[Term], dict[int, set[int]]]:
    """The organisations' wanted and excluded words as terms, and each one's goals."""
    terms = []
    for organisation in organisations:
        terms += [Term(t, organisation.id) for t in [*organisation.interests, *organisation.keywords] if t and t.strip()]
        terms += [Term(t, organisation.id, excluding=True) for t in organisation.excluded_words if t and t.strip()]
    goals = {o.id: set(o.un_goals) for o in organisations if o.un_goals}
    return terms, goals


def fits(call_text: Text, call_goals: set[int], matcher: Matcher, goals: dict[int, set[int]]) -> dict[int, list[str]]:
    """Organisation id -> the words and goals by which the call fits it; none of its excluded words may be there."""
    reasons: dict[int, list[str]] = {}
    excluded: set[int] = set()
    for term, holder in matcher.find(call_text).items():
        if term.excluding:
            excluded.add(term.owner)
        else:
            reasons.setdefault(term.owner, []).append(reason_of(term, holder))
    for organisation_id, wanted in goals.items():
        shared = wanted & call_goals
        if shared:
            reasons.setdefault(organisation_id, []).extend(f"UN {g}" for g in sorted(shared))
    return {o: sorted(set(r)) for o, r in reasons.items() if o not in excluded}


def match_calls(call_ids, *, now: dt.datetime, organisations=None) -> int:
    """Find each call's UN goals and the organisations it fits (all active ones, or those given), and keep the
    matches so: new ones added, reasons brought up to date, and those that no longer fit removed (an organisation
    that has changed its interests). Returns how many matches were added."""
    chosen = organisations is not None
    if organisations is None:
        organisations = list(Organisation.select().where(Organisation.archived_at.is_null()))
    active = [o for o in organisations if o.archived_at is None]
    terms, goals = organisation_terms(active)
    matcher, goal_matcher = Matcher(terms), Matcher(goal_terms())
    owners = [o.id for o in organisations]
    added = 0
    with db.atomic():
        for batch in chunked(list(call_ids), BATCH):
            calls = list(Call.select(Call.id, Call.title, Call.summary_text, Call.un_goals).where(one_of(Call.id, batch)))
            existing: dict[tuple[int, int], CallMatch] = {}
            query = CallMatch.select().where(one_of(CallMatch.call, batch))
            if chosen:
                query = query.where(CallMatch.organisation.in_(owners or [0]))
            for match in query:
                existing[(match.call_id, match.organisation_id)] = match
            rows = []
            new_goals: dict[tuple[int, ...], list[int]] = {}  # one update per set of goals, not per call
            new_reasons: dict[tuple[str, ...], list[int]] = {}
            for call in calls:
                text = Text(f"{call.title} {call.summary_text}")
                call_goals = sorted({term.owner for term in goal_matcher.find(text)})
                if call_goals != sorted(call.un_goals or []):
                    new_goals.setdefault(tuple(call_goals), []).append(call.id)
                found = fits(text, set(call_goals), matcher, goals) if terms or goals else {}
                for organisation_id, reasons in found.items():
                    match = existing.pop((call.id, organisation_id), None)
                    if match is None:
                        rows.append({"call": call.id, "organisation": organisation_id, "reasons": reasons, "matched_at": now})
                    elif match.reasons != reasons:
                        new_reasons.setdefault(tuple(reasons), []).append(match.id)
            for call_goals, ids in new_goals.items():
                Call.update(un_goals=list(call_goals)).where(one_of(Call.id, ids)).execute()
            for reasons, ids in new_reasons.items():
                CallMatch.update(reasons=list(reasons)).where(one_of(CallMatch.id, ids)).execute()
            gone = [match.id for match in existing.values()]
            if gone:
                CallMatch.delete().where(one_of(CallMatch.id, gone)).execute()
            bulk_insert(CallMatch, rows, ignore_conflicts=True)
            added += len(rows)
            Call.update(matched_at=now).where(one_of(Call.id, batch)).execute()
    return added


def match_pending_calls(*, now: dt.datetime) -> int:
    """Match every call not matched yet (stored by a fetch that stopped before matching, or new): the job that
    makes sure no call is lost between storing and passing it on."""
    matched = 0
    while True:
        ids = [row.id for row in Call.select(Call.id).where(Call.matched_at.is_null()).order_by(Call.id).limit(2000)]
        if not ids:
            return matched
        matched += match_calls(ids, now=now)


def open_calls(today: dt.date):
    """The calls still worth passing on: not dismissed or converted, and rolling, without a known deadline,
    or with one still to come."""
    passed = fn.EXISTS(CallDeadline.select().where(CallDeadline.call == Call.id))
    upcoming = fn.EXISTS(CallDeadline.select().where((CallDeadline.call == Call.id) & (CallDeadline.due_on >= today)))
    return Call.select(Call.id).where(Call.status.in_(list(OPEN_STATUSES)) & (Call.rolling | ~passed | upcoming))


def rematch_open_calls(*, now: dt.datetime, organisations=None) -> int:
    """Match the open calls again (for the organisations given, or all)."""
    ids = [call_id for (call_id,) in open_calls(clock.to_local(now).date()).order_by(Call.id).tuples()]
    return match_calls(ids, now=now, organisations=organisations)


MATCHING_FIELDS = {"interests", "keywords", "excluded_words", "un_goals", "archived_at"}


@organisation_events.changed.connect
def _organisation_changed(organisation, changes, now, **rest):
    """An organisation's interests, words or goals changed (or it was archived): its open calls are found again."""
    if MATCHING_FIELDS & set(changes):
        rematch_open_calls(now=now, organisations=[organisation])
