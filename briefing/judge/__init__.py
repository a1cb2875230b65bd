"""judge: the corpus and the themes -> what each part of the edition shows, and why.

Takes the stored passages and annotations and the config's themes and reader; gives, per theme,
scored candidates and the items chosen from them (with the reason for every one left out), the
same decisions for ``build`` and ``explain``.

    textnorm.py   words to roots: one root for every form and spelling of a word
    query.py      the theme query language (boolean, proximity, require)
    themes.py     a theme's terms -> scored, explained passages
    ranking.py    every theme's candidates and shortlist, from evidence kept in the store
    choose.py     candidates -> the items each part shows
    editorial.py  the editor's rules for verbatim parts: every span stands alone
    readers.py    an edition's window: which articles are new enough for a reader
    explain.py    ``briefing explain THEME``

Add a theme feature: the query language (``query.py``) and its scoring (``themes.py``).
Must not touch: files on disk, the outputs, delivery. It reads the store only through its
interface.
"""
