"""The words the quotation rules tell apart: the verbs that report speech, and the small words
of a clause (determiners, prepositions, auxiliaries...) that bound a speaker's noun phrase.

Shared by :mod:`briefing.annotate.cues`, :mod:`~briefing.annotate.phrases`,
:mod:`~briefing.annotate.subjects`, :mod:`~briefing.annotate.mentions` and
:mod:`~briefing.annotate.attribution`; a list only one of them reads is kept beside its rule.
"""

from __future__ import annotations

_CUE_VERBS = """
say state tell add explain note remark voice read write urge call ask reply answer declare announce
insist argue claim warn emphasise emphasize stress underscore continue conclude recall acknowledge
admit concede suggest predict promise vow pledge tweet post quip joke shout yell chant respond
observe muse describe label dub term complain boast confirm deny repeat recount agree counter
charge accuse praise criticize criticise lament blast slam tout thunder caution contend maintain
reiterate wonder point quote cite report mock characterize characterise liken laud hail condemn
exhort dismiss comment sing scold deride brand decry assert allege demand threaten question
recommend predict add describe whisper cry exclaim plead beg sneer scoff tease chide rebuke
lambaste lash denounce applaud commend compliment thank blame fault attack ridicule dismiss
reassure advise instruct order testify swear guarantee assure concur echo paraphrase proclaim
retort affirm mutter murmur grumble opine smile laugh sigh grin shrug chuckle
""".split()
# Forms English does not make by rule.
_IRREGULAR = """
said says saying told telling wrote writing read reads reading sang sung sings singing
swore sworn swearing quipped quipping admitted admitting slammed slamming grinned grinning
shrugged shrugging
""".split()


def _inflect(base: str) -> set[str]:
    """The -s, -ed and -ing forms of a regular verb (enough for the cue list above)."""
    if base.endswith("e"):
        return {base, base + "s", base + "d", base[:-1] + "ing"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return {base, base[:-1] + "ies", base[:-1] + "ied", base + "ing"}
    es = "es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s"
    return {base, base + es, base + "ed", base + "ing"}


# Bare forms are nouns as often as verbs ('a call for', 'a report'): only these few report.
BARE = {"say", "tell", "write", "call", "claim", "argue", "insist", "warn", "ask", "describe",
        "urge", "add", "explain", "agree", "predict", "admit", "deny", "accuse", "liken", "suggest"}
#: every form of a reporting verb that reports (the bare forms only as BARE allows)
CUES = ({form for base in _CUE_VERBS for form in _inflect(base)} - set(_CUE_VERBS)) \
    | set(_IRREGULAR) | BARE
CUES -= {"sayed", "sais", "telled", "writed", "readed", "singed", "sweared", "quiped", "admited",
         "admiting", "slamed", "agreing", "grined", "grining", "shruged", "shruging"}
# -s forms that are as often plural nouns ('his remarks', 'get promises from'): a cue only with
# a subject that can be nothing else before them.
NOUNISH = {"states", "reads", "writes", "cites", "stresses", "warns"} | {
    f for b in """note remark call claim report answer charge post tweet quote comment demand
    question attack praise blame order joke quip vow pledge echo promise lament boast reply label
    term point cry chant thank dismiss smile laugh sigh grin shrug""".split()
    for f in _inflect(b) if f.endswith("s")}
#: the bare forms, which report with a plural subject ('Critics reply: "..."')
BASES = set(_CUE_VERBS)

# --- the small words of a clause ----------------------------------------------------------------

ADVERBS = set("""
also later then again has have had previously recently once further repeatedly reportedly publicly
privately flatly simply just often would will did does never not already still bluntly angrily
quickly frequently separately earlier initially first finally even last today yesterday tonight
instead too himself herself themselves itself alone jointly together personally
""".split())
PREPS = set("""
in on at for with by from to into about during under over after before since through without
against among between via per like near across toward towards upon within amid despite than
""".split())
SUBORD = set("""
that which who whom whose when while as because but and or if where though although so whether
what how why nor yet until unless till
""".split())
VERBS = set("is was are were be been has have had will would can could may might must should does "
            "did do".split())
PRONOUNS_SUBJ = {"i", "we", "he", "she", "they", "it", "you"}
DETS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "our"}


# -ing words that qualify a noun in a subject ('One leading Karachi broker', 'the ruling party')
ING_ADJECTIVES = {"leading", "ruling", "governing", "founding", "managing", "outgoing", "incoming",
                  "visiting", "acting", "presiding", "sitting", "reigning", "opposing", "competing",
                  "existing", "working", "striking", "serving", "marketing", "engineering",
                  "banking", "publishing", "programming", "training", "planning", "broadcasting",
                  "accounting", "purchasing", "licensing", "manufacturing", "lending", "trading",
                  "consulting", "operating", "retired", "elected", "appointed", "designated",
                  "unnamed", "respected", "renowned", "disgraced", "jailed", "detained"}
MONTHS_DAYS = set("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december
""".split())
QUANTIFIERS = {"one", "some", "another", "several", "many", "most", "both", "other", "others"}
