"""judge: the corpus and the themes -> what each part of the edition shows, and why.

Takes the stored passages and annotations and the config's themes and reader; gives, per theme,
scored candidates and the items chosen from them (with the reason for every one left out), the
same decisions for ``build`` and ``explain``.

    textnorm.py   words to roots: one root for every form and spelling of a word
    query.py      the theme query language (boolean, proximity, require)
    themes.py     a theme's terms -> scored, explained passages
    ranking.py    every theme's candidates and shortlist, from evidence kept in the store
    choose.py     candidates -> the items each part shows: ``select``, the steps in order
    refine.py     candidates made fit to show: the reporting prior, the relative floor,
                  quotations, spans that stand alone
    facts.py      what a passage says: telling copies and retold facts apart
    sections.py   the greedy pass: each section's items, source diversity, every article cited
    essentials.py The essentials, each section's lede, the candidates without what they print
    editorial.py  the editor's rules for verbatim parts: every span stands alone
    readers.py    an edition's window: which articles are new enough for a reader
    explain.py    ``briefing explain THEME``

Add a theme feature: the query language (``query.py``) and its scoring (``themes.py``).
Must not touch: files on disk, the outputs, delivery. It reads the store only through its
interface.
"""
