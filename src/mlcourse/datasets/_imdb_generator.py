"""Synthetic movie reviews for the offline IMDB sample and its drifted variant.

No real review text is stored here: reviews are assembled from word lists and sentence
templates written for this course. They are built to behave like IMDB for a bag-of-words model:

- sentiment lives in cue words (positive and negative adjectives and nouns) scattered among
  neutral sentences about plot, cast and places, plus invented character names that give the
  vocabulary a long tail of rare words;
- the stronger the rating (1 or 10), the more consistently the cues agree with the label, so
  lukewarm 4s and 7s are hard;
- some cues are negated ("not boring"), which a bag of words reads the wrong way round (the
  stop-word list even drops "not");
- some reviews are mixed (complaints, then "That said, ..." and the verdict) and a few are
  contrarian (a 7 that mostly lists flaws), so no model reaches 100% accuracy;
- paragraphs are separated by ``<br /><br />`` as on IMDB.

A :class:`Lexicon` holds the word lists; :data:`DRIFTED_LEXICON` swaps in new slang cues, flips
the meaning of a few old ones and makes streaming-era words frequent, to simulate the data a
deployed model meets a few years later.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from functools import cache

# --- word lists ------------------------------------------------------------------------------
# Every cue word must survive review_to_words (not a stop word) and no positive cue may share a
# stem with a negative one; tests check both.

_POSITIVE_ADJECTIVES = (
    "great", "excellent", "wonderful", "brilliant", "superb", "amazing", "beautiful", "moving",
    "touching", "gripping", "hilarious", "charming", "delightful", "masterful", "stunning",
    "memorable", "fantastic", "enjoyable", "engaging", "powerful", "perfect", "outstanding",
    "magnificent", "clever", "witty", "heartfelt", "compelling", "inspired", "riveting",
    "terrific", "lovely", "marvelous", "remarkable", "satisfying", "thrilling", "elegant",
    "haunting", "poignant", "vivid", "breathtaking", "captivating", "refreshing", "tender",
    "uplifting", "flawless", "sublime", "entertaining", "impressive", "gorgeous", "likable",
    "rewarding", "smart", "funny", "wise", "superior", "exquisite", "glorious", "dazzling",
)
_NEGATIVE_ADJECTIVES = (
    "bad", "awful", "terrible", "horrible", "boring", "dull", "poor", "weak", "stupid",
    "pointless", "disappointing", "lame", "tedious", "predictable", "clumsy", "bland",
    "forgettable", "annoying", "silly", "cheap", "ridiculous", "painful", "unwatchable",
    "incoherent", "lifeless", "shallow", "sloppy", "tiresome", "dreadful", "atrocious",
    "laughable", "amateurish", "wooden", "clichéd", "confusing", "pretentious", "overlong",
    "mediocre", "hollow", "messy", "uninspired", "irritating", "embarrassing", "crude", "dumb",
    "sluggish", "stale", "generic", "grating", "bloated", "muddled", "insane", "sick", "unreal",
    "inept", "horrid", "lousy", "insipid",
)
_POSITIVE_NOUNS = (
    "masterpiece", "gem", "treat", "joy", "triumph", "delight", "classic", "winner", "pleasure",
    "marvel",
)
_NEGATIVE_NOUNS = (
    "mess", "waste", "disaster", "failure", "letdown", "chore", "dud", "catastrophe", "snoozer",
    "turkey",
)
_SUBJECTS = (
    "plot", "story", "acting", "script", "dialogue", "soundtrack", "cinematography", "ending",
    "pacing", "casting", "direction", "editing", "score", "lead", "villain", "cast", "humor",
    "effects", "costumes", "photography", "screenplay", "finale", "premise", "twist", "camera work",
    "lighting", "opening", "climax", "romance", "action", "narration", "makeup",
)
_FILM_WORDS = ("movie", "film", "picture", "flick", "feature", "production")
_ROLES = (
    "a detective", "a young teacher", "the villain", "a retired soldier", "a struggling singer",
    "a lonely farmer", "a journalist", "a nurse", "a con artist", "a widowed father",
    "a rebellious daughter", "a ship captain", "a small-time lawyer", "a ghost", "a scientist",
    "a bank clerk", "a boxer", "a hitchhiker", "an heiress", "a priest", "a taxi driver",
)
_ACTIONS = (
    "returns home after years away", "solves the case", "loses everything", "falls in love",
    "chases a killer", "hides a secret", "joins a travelling circus", "runs for mayor",
    "robs a train", "searches for a missing brother", "inherits a haunted house",
    "trains for a big fight", "escapes from prison", "writes a novel", "opens a restaurant",
    "crosses the desert", "gets lost at sea", "steals a painting", "fakes a death",
)
_PLACES = (
    "a small town", "the city", "a desert", "an island", "a boarding school", "a hospital",
    "the suburbs", "a space station", "a fishing village", "an old hotel", "the mountains",
    "a prison", "a casino", "the countryside", "a submarine", "a train",
)
_OCCASIONS = (
    "last night", "on a plane", "with friends", "as a kid", "on cable", "at a festival",
    "on video", "twice", "in a cinema", "with my parents", "on a rainy Sunday",
)
_SOURCES = ("a true story", "a novel", "a comic book", "a play", "an old radio serial", "a legend")
_NEUTRAL_ADJECTIVES = (
    "long", "short", "slow", "loud", "quiet", "dark", "colourful", "old-fashioned", "modern",
    "simple", "complicated", "black and white", "low-budget", "foreign", "violent", "talky",
)
_RUNTIMES = tuple(range(75, 185, 5))
_YEARS = tuple(range(1930, 2011))
_INTENSIFIERS = ("truly", "really", "quite", "incredibly", "rather", "utterly", "simply")
_TRANSITIONS = ("That said,", "Still,", "Then again,", "In the end,", "Even so,")
_SYLLABLE_ONSETS = (
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
    "br", "ch", "cl", "dr", "gr", "sh", "st", "tr",
)
_SYLLABLE_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou")
_SYLLABLE_CODAS = ("", "n", "r", "l", "s", "th", "nd", "rt", "x")

# The drifted world, a few years on: slang cues, and streaming vocabulary everywhere.
_NEW_POSITIVE = (
    "lit", "goated", "iconic", "immaculate", "bussin", "slaps", "elite", "peak", "wholesome",
    "bingeable", "fresh", "fab", "stellar", "vibey", "addictive", "unmissable",
)
_NEW_NEGATIVE = (
    "mid", "cringe", "meh", "skippable", "overhyped", "snoozefest", "yikes", "flopped", "trash",
    "derivative", "unbingeable", "cheugy", "filler", "lazy", "soulless", "tryhard",
)
_FLIPPED_TO_POSITIVE = ("insane", "sick", "unreal", "ridiculous")
_NEW_SUBJECTS = (
    "season", "episode", "finale", "pilot", "reboot", "spinoff", "cameo", "showrunner",
    "streaming release", "algorithm", "binge", "cliffhanger",
)
_NEW_FILM_WORDS = ("series", "season", "stream", "miniseries", "reboot")


@dataclass(frozen=True)
class Lexicon:
    """The words a generated review is made of; cue words carry the sentiment."""

    positive_adjectives: tuple[str, ...]
    negative_adjectives: tuple[str, ...]
    positive_nouns: tuple[str, ...]
    negative_nouns: tuple[str, ...]
    subjects: tuple[str, ...]
    film_words: tuple[str, ...]


BASE_LEXICON = Lexicon(
    positive_adjectives=_POSITIVE_ADJECTIVES,
    negative_adjectives=_NEGATIVE_ADJECTIVES,
    positive_nouns=_POSITIVE_NOUNS,
    negative_nouns=_NEGATIVE_NOUNS,
    subjects=_SUBJECTS,
    film_words=_FILM_WORDS,
)

# New cues dominate; a few old ones remain; the flipped words now praise.
DRIFTED_LEXICON = Lexicon(
    positive_adjectives=_NEW_POSITIVE + _FLIPPED_TO_POSITIVE + _POSITIVE_ADJECTIVES[:6],
    negative_adjectives=_NEW_NEGATIVE + _NEGATIVE_ADJECTIVES[:6],
    positive_nouns=_POSITIVE_NOUNS[:3] + ("banger", "vibe", "rewatch"),
    negative_nouns=_NEGATIVE_NOUNS[:3] + ("fumble", "cashgrab", "slog"),
    subjects=_NEW_SUBJECTS + _SUBJECTS[:6],
    film_words=_NEW_FILM_WORDS,
)

# --- sentence templates ----------------------------------------------------------------------
# {cue} is a sentiment adjective, {cue_noun} a sentiment noun; in the negated templates {cue} is
# an adjective of the opposite polarity, so the sentence means the reverse of its cue word.

_NEUTRAL_TEMPLATES = (
    "The {film} is set in {place}.",
    "{name} plays {role} who {action}.",
    "I watched it {occasion}.",
    "It runs about {minutes} minutes.",
    "The {subject} is {neutral}.",
    "There is a scene where {name} {action}.",
    "Most of it takes place in {place}, where {name} {action}.",
    "The {subject} reminded me of the work of {name}.",
    "It is based on {source}.",
    "{name} and {other_name} share most of the scenes.",
    "My friend {name} recommended this {film} to me.",
    "The {film} came out in {year}.",
)
_CUE_TEMPLATES = (
    "The {subject} was {cue}.",
    "I found the {subject} {cue}.",
    "{name} is {cue} as {role}.",
    "{intensifier} {cue} {subject}.",
    "The {subject} is {intensifier} {cue}.",
    "It was {cue} from start to finish.",
    "A {cue} {film}.",
)
_CUE_NOUN_TEMPLATES = (
    "What a {cue_noun}.",
    "This {film} is a {cue_noun}.",
    "A real {cue_noun}, honestly.",
)
_NEGATED_TEMPLATES = (
    "The {subject} was not {cue}.",
    "I would never call it {cue}.",
    "Nothing about the {subject} felt {cue}.",
    "The {subject} is hardly {cue}.",
    "Not exactly a {cue} {film}.",
)

_ARTICLE_BEFORE_VOWEL = re.compile(r"\b([Aa])(?= [aeiouAEIOU])")  # "a awful" -> "an awful"

# --- how sentiment shows --------------------------------------------------------------------

POSITIVE_RATINGS = {7: 0.2, 8: 0.25, 9: 0.2, 10: 0.35}
NEGATIVE_RATINGS = {1: 0.4, 2: 0.2, 3: 0.2, 4: 0.2}
# Probability that one cue sentence agrees with the review's label, by rating.
_CUE_AGREEMENT = {1: 0.95, 2: 0.92, 3: 0.88, 4: 0.82, 7: 0.82, 8: 0.88, 9: 0.92, 10: 0.95}
_CUE_SENTENCE_PROBABILITY = 0.5
_NEGATED_CUE_PROBABILITY = 0.1
_NOUN_CUE_PROBABILITY = 0.2
_MIXED_REVIEW_PROBABILITY = 0.1
_CONTRARIAN_REVIEW_PROBABILITY = 0.03
_SENTENCES_PER_PARAGRAPH = (2, 6)
_MAX_SENTENCES = 60


@cache
def _slots(template: str) -> tuple[str, ...]:
    """The names of a template's slots, except the character names filled separately."""
    fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return tuple(sorted(fields - {"name", "other_name"}))


class ReviewWriter:
    """Writes reviews from one :class:`Lexicon`, drawing every choice from one seeded RNG."""

    def __init__(self, lexicon: Lexicon, rng: random.Random) -> None:
        self._rng = rng
        neutral_pools = {
            "subject": lexicon.subjects,
            "film": lexicon.film_words,
            "role": _ROLES,
            "action": _ACTIONS,
            "place": _PLACES,
            "occasion": _OCCASIONS,
            "source": _SOURCES,
            "neutral": _NEUTRAL_ADJECTIVES,
            "intensifier": _INTENSIFIERS,
            "minutes": _RUNTIMES,
            "year": _YEARS,
        }
        cue_words = {
            1: (lexicon.positive_adjectives, lexicon.positive_nouns),
            0: (lexicon.negative_adjectives, lexicon.negative_nouns),
        }
        # Word pools for each template slot, by the polarity of the cue words.
        self._pools = {
            polarity: {**neutral_pools, "cue": adjectives, "cue_noun": nouns}
            for polarity, (adjectives, nouns) in cue_words.items()
        }

    def rating(self, label: int) -> int:
        """Draw an IMDB star rating for a label: 1-4 for negative (0), 7-10 for positive (1)."""
        ratings = POSITIVE_RATINGS if label == 1 else NEGATIVE_RATINGS
        return self._rng.choices(list(ratings), weights=list(ratings.values()))[0]

    def review(self, label: int, rating: int) -> str:
        """Write one review whose sentiment cues follow ``label`` as strongly as ``rating`` says."""
        agreement = _CUE_AGREEMENT[rating]
        if self._rng.random() < _CONTRARIAN_REVIEW_PROBABILITY:
            agreement = 1.0 - agreement
        names = [self._name() for _ in range(3)]
        sentences = [self._sentence(label, agreement, names) for _ in range(self._length())]
        if self._rng.random() < _MIXED_REVIEW_PROBABILITY:
            sentences = self._mixed(label, sentences, names)
        return self._paragraphs(sentences)

    def _length(self) -> int:
        """Number of sentences: log-normal like real reviews (median 11, some very long)."""
        return min(_MAX_SENTENCES, max(2, round(self._rng.lognormvariate(2.4, 0.6))))

    def _sentence(self, label: int, agreement: float, names: list[str]) -> str:
        """A neutral sentence, or a cue agreeing with ``label`` with probability ``agreement``."""
        if self._rng.random() >= _CUE_SENTENCE_PROBABILITY:
            return self._fill(self._rng.choice(_NEUTRAL_TEMPLATES), names)
        polarity = label if self._rng.random() < agreement else 1 - label
        return self._cue_sentence(polarity, names)

    def _cue_sentence(self, polarity: int, names: list[str]) -> str:
        """A sentence meaning ``polarity`` (1 positive, 0 negative), in one of three forms."""
        draw = self._rng.random()
        if draw < _NEGATED_CUE_PROBABILITY:
            # "not boring" means positive: the cue word has the opposite polarity.
            template, word_polarity = self._rng.choice(_NEGATED_TEMPLATES), 1 - polarity
        elif draw < _NEGATED_CUE_PROBABILITY + _NOUN_CUE_PROBABILITY:
            template, word_polarity = self._rng.choice(_CUE_NOUN_TEMPLATES), polarity
        else:
            template, word_polarity = self._rng.choice(_CUE_TEMPLATES), polarity
        return self._fill(template, names, word_polarity)

    def _mixed(self, label: int, sentences: list[str], names: list[str]) -> list[str]:
        """Prefix complaints (or praise) against the label, then turn to the verdict."""
        against = [self._cue_sentence(1 - label, names) for _ in range(self._rng.randint(2, 4))]
        verdict = self._cue_sentence(label, names)
        turn = f"{self._rng.choice(_TRANSITIONS)} {verdict[0].lower()}{verdict[1:]}"
        return against + [turn] + sentences

    def _fill(self, template: str, names: list[str], polarity: int = 1) -> str:
        """Fill a template's slots; ``polarity`` picks the cue words' side."""
        pools = self._pools[polarity]
        values = {field: self._rng.choice(pools[field]) for field in _slots(template)}
        # Two different characters, whether or not the template mentions both.
        values["name"], values["other_name"] = self._rng.sample(names, 2)
        text = _ARTICLE_BEFORE_VOWEL.sub(r"\1n", template.format(**values))
        return text[0].upper() + text[1:]

    def _name(self) -> str:
        """An invented two-syllable name: the long tail of the vocabulary."""
        syllables = [
            self._rng.choice(_SYLLABLE_ONSETS)
            + self._rng.choice(_SYLLABLE_VOWELS)
            + self._rng.choice(_SYLLABLE_CODAS)
            for _ in range(2)
        ]
        return "".join(syllables).capitalize()

    def _paragraphs(self, sentences: list[str]) -> str:
        """Join sentences into paragraphs separated by IMDB's ``<br /><br />``."""
        paragraphs = []
        start = 0
        while start < len(sentences):
            end = start + self._rng.randint(*_SENTENCES_PER_PARAGRAPH)
            paragraphs.append(" ".join(sentences[start:end]))
            start = end
        return "<br /><br />".join(paragraphs)
