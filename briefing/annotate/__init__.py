"""annotate: one article's text -> what it says on its own: quotations and dated sentences.

Takes an article's text and segmentation; gives :class:`~briefing.models.Quote` records (who
said what, at which offsets) and dated events. Each depends on the article alone, so each is
computed once per article and kept in the store (``annotations``).

    quotes.py       quotation marks -> attributed quotations (the entry point: the steps in order)
    marks.py        quotation marks paired tolerantly; sentences and tokens around them
    cues.py         the reporting cues of a sentence ('said', 'according to') and whom each is about
    subjects.py     a cue's subject across appositives, relative clauses, asides, inversion
    phrases.py      noun phrases before and after a cue; whether one ends in a person's name
    mentions.py     a speaker's mention as written -> the speaker a reader sees
    attribution.py  one pair of marks -> its quotation: which cue, how sure, where it was said
    words.py        the words the quotation rules tell apart: reporting verbs, small clause words
    turns.py        transcripts: a quotation of speaker-labelled turns
    people.py       who is speaking in one article: the speakers heard, pronouns, descriptions
    cast.py         who one article names: full names, roles, titles, where each is mentioned
    names.py        what a name is, in any article: a person's or an institution's, its role words
    roles.py        who a speaker is, in the article's words: the role beside the full name
    timeline.py     sentences that say when something happened, dates normalised
    annotations.py  the per-article results kept in the store
    quotelist.py    ``briefing quotes``: every quotation of some articles

Must not touch: other articles, themes, readers, the outputs; nothing here knows SQL.
"""
