"""annotate: one article's text -> what it says on its own: quotations and dated sentences.

Takes an article's text and segmentation; gives :class:`~briefing.models.Quote` records (who
said what, at which offsets) and dated events. Each depends on the article alone, so each is
computed once per article and kept in the store (``annotations``).

    quotes.py       quotation marks -> attributed quotations (the entry point)
    marks.py        quotation marks paired tolerantly; sentences and tokens around them
    people.py       who is who in one article: names, roles, pronouns, descriptions
    turns.py        transcripts: a quotation of speaker-labelled turns
    timeline.py     sentences that say when something happened, dates normalised
    annotations.py  the per-article results kept in the store
    quotelist.py    ``briefing quotes``: every quotation of some articles

Must not touch: other articles, themes, readers, the outputs; nothing here knows SQL.
"""
