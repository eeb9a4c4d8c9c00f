"""Letterhead, metadata blocks, signatures and page furniture: lines of an answer that are not
its running text and not its headings, and the facts they carry.

Answers from different boards and municipalities lay out their first page differently: a
Stockholm *tjänsteutlåtande* writes ``Dnr 1.5.1-512/2015`` on one line, a Kungsbacka
*tjänsteskrivelse* writes a label (``Diarienummer``) and its value on the next line, sometimes
with two columns side by side (``Till        Datum`` / ``Kommunstyrelsen   2025-03-06``). This
module recognises such lines by their shape, not by a list of municipalities:

* **labels** (``Datum``, ``Diarienummer``, ``Ert diarienummer``, ``Handläggare``, ``Till``,
  ``Beslutet skickas till`` …) alone on a line, and the value lines that follow them;
* **label and value** on one line (``Dnr 1.5.1-512/2015``, ``Telefon 08-508 00 000``);
* **bare values**: a date, a registration number (``IF-2025-00087``, ``KS 2024-00544``);
* **page numbering** (``Sida 1 (3)``, ``2 (2)``), **contact lines** (postal code and town,
  street address, web or e-mail address, telephone);
* **document types** (``TJÄNSTESKRIVELSE``, ``Yttrande``) and other all-capital letterhead;
* **organisation names** alone on a line (``Kungsbacka kommun``, ``Farsta stadsdelsförvaltning``,
  ``Nämnden för Individ & Familjeomsorg``);
* **signatures**: personal names (two to four capitalised words) and job titles
  (``Förvaltningschef``, ``Avdelningschef``);
* **multi-column lines** (runs of several spaces between short pieces): letterhead tables.

:func:`read_facts` turns the collected lines into the answer's own registration number, the
number it answers (``Ert diarienummer``), its date, the addressee, the board and the officer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- shapes ------------------------------------------------------------------------------------

LABELS = {
    "datum": "date",
    "dnr": "dnr",
    "dnr.": "dnr",
    "diarienummer": "dnr",
    "diarienr": "dnr",
    "vårt diarienummer": "dnr",
    "vår beteckning": "dnr",
    "ert diarienummer": "reference_dnr",
    "er beteckning": "reference_dnr",
    "er referens": "reference",
    "vår referens": "handlaggare",
    "handläggare": "handlaggare",
    "till": "addressee",
    "mottagare": "addressee",
    "från": "sender",
    "kopia till": "copy",
    "beslutet skickas till": "copy",
    "expedieras till": "copy",
    "telefon": "contact",
    "tfn": "contact",
    "tel": "contact",
    "tel.": "contact",
    "e-post": "contact",
    "epost": "contact",
    "besöksadress": "contact",
    "postadress": "contact",
    "webbplats": "contact",
    "sida": "page",
}
_LABEL_ALONE = re.compile(
    r"^(" + "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True)) + r")\s*:?$",
    re.I,
)
_LABEL_INLINE = re.compile(
    r"^(dnr\.?|diarienummer|diarienr|vårt diarienummer|ert diarienummer|datum|handläggare|"
    r"telefon|tfn|tel\.?|e-post|besöksadress|postadress|er referens|vår referens)"
    r"[\s.:]+(\S.{0,90})$",
    re.I,
)
DATE_ISO = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]
DATE_SV = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r") ((?:19|20)\d{2})\b", re.I)
_DATE_ONLY = re.compile(
    r"^(?:den\s+)?(?:(?:19|20)\d{2}-\d{2}-\d{2}|\d{1,2} (?:" + "|".join(MONTHS) + r") \d{4})\.?$",
    re.I,
)
# A registration number: a short token (optionally after a series such as "KS" or "IF") with
# digits and at least one separator, e.g. IF-2025-00087, KS 2024-00544, LI2025/00306,
# 1.5.1-512/2015, SDN 2015/123.
DNR_TOKEN = r"(?:[A-ZÅÄÖ]{1,6}[ -]?)?[A-ZÅÄÖ]{0,6}\d[\w]*(?:[./:-]\w+)+"
_DNR_ONLY = re.compile(r"^(?:[A-ZÅÄÖ]{1,6}\s+)?" + DNR_TOKEN + r"$")
_PAGE_NO = re.compile(
    r"^(?:(?:sida|sid\.?|page|s\.)\s*)?\d{1,3}\s*(?:\(\s*\d{1,3}\s*\)|(?:av|/|of)\s*\d{1,3})$"
    r"|^(?:sida|page)\s+\d{1,3}$|^-\s*\d{1,3}\s*-$",
    re.I,
)
_CONTACT = re.compile(
    r"^\d{3} ?\d{2}\s+[A-ZÅÄÖ][\w-]+$"  # 434 81 Kungsbacka
    r"|^box \d+"
    r"|^(?:www\.|https?://)\S+$"
    r"|^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$"
    r"|^(?:telefon|tfn|tel\.?|växel|fax|e-post|org\.? ?nr)\b.{0,40}$"
    r"|^\+?\d[\d -]{6,}\d$"
    r"|^[\wåäöÅÄÖ-]+(?:gatan|vägen|torget|gränd|plan|backe|allén|stigen|huset)\b,?\s*\d+\w?$"
    r"|^[A-ZÅÄÖ][\wåäö-]+,\s*[\wåäöÅÄÖ-]+(?:gatan|vägen|torget|gränd|plan|backe)\s+\d+\w?$",
    re.I,
)
DOC_TYPES = (
    "tjänsteutlåtande",
    "tjänsteskrivelse",
    "yttrande",
    "remissvar",
    "protokollsutdrag",
    "protokoll",
    "utdrag ur protokoll",
    "missiv",
    "promemoria",
    "pm",
    "beslut",
    "skrivelse",
)
_DOC_TYPE = re.compile(r"^(?:" + "|".join(DOC_TYPES) + r")$", re.I)


def is_doc_type(text: str) -> bool:
    """A document type alone on a line ("Tjänsteutlåtande", "YTTRANDE")."""
    return bool(_DOC_TYPE.match(text.strip()))


_ORG_END = (
    r"(?:nämnd|nämnden|förvaltning|förvaltningen|kontor|kontoret|kommun|kommunen|styrelse|"
    r"styrelsen|stad|staden|region|regionen|ab|bolag|bolaget|avdelning|avdelningen|enhet|"
    r"enheten|stadsdelsnämnd|stadsdelsförvaltning)"
)
ORG_LINE = re.compile(
    r"^(?:[A-ZÅÄÖ][\wåäöé&-]*(?:\s+(?:[A-ZÅÄÖ][\wåäöé-]*|för|och|&|i)){0,4}\s+" + _ORG_END + r"|"
    r"[A-ZÅÄÖ][\wåäö-]*" + _ORG_END + r"|"
    r"(?:[Nn]ämnden|[Ff]örvaltningen|[Aa]vdelningen|[Ee]nheten|[Kk]ontoret|[Ss]tyrelsen) för "
    r"[\wåäöÅÄÖ&, -]{3,60})$"
)
_TITLE_WORD = re.compile(
    r"^(?:[\wåäöÅÄÖ-]*(?:chef|direktör|ledare|samordnare|handläggare|sekreterare|strateg|"
    r"utredare|controller|jurist|ordförande|ombudsman|specialist|planerare)|"
    r"tf\.? [\wåäö]+|biträdande [\wåäö]+)$",
    re.I,
)
_NAME_WORD = re.compile(r"^[A-ZÅÄÖÉ][a-zåäöéüø]+(?:-[A-ZÅÄÖ][a-zåäöéüø]+)?$")
TITLE_LINE = re.compile(
    r"^(?:svar på remiss|remiss(?:var|svar)?\b|yttrande (?:över|om|på|angående)|"
    r"remissyttrande|svar på|angående remiss)",
    re.I,
)


def is_name(text: str) -> bool:
    """A personal name: two to four capitalised words (``Anna Berg``, ``Karl-Erik Ek Lund``)."""
    words = text.split()
    return 2 <= len(words) <= 4 and all(_NAME_WORD.match(w) for w in words)


def is_job_title(text: str) -> bool:
    """A job title alone on a line (``Förvaltningschef``, ``Tf. avdelningschef``)."""
    t = text.strip()
    # A title is one word, or two after "tf." or "biträdande": no regex for longer lines.
    return len(t.split(maxsplit=2)) <= 2 and bool(_TITLE_WORD.match(t))


_COLUMN_GAP = re.compile(r"\s{3,}|\t+")
_HAS_COLUMN_GAP = re.compile(r"\s\s\s|\t")  # the same lines, found faster


def columns(text: str) -> list[str]:
    """The pieces of a line laid out in columns (separated by three or more spaces)."""
    t = text.strip()
    if not _HAS_COLUMN_GAP.search(t):
        return [t] if t else []
    return [c.strip() for c in _COLUMN_GAP.split(t) if c.strip()]


def is_value(text: str) -> bool:
    """A date or a registration number on its own."""
    t = text.strip()
    return bool(_DATE_ONLY.match(t) or _DNR_ONLY.match(t))


_LONGEST_LABEL = max(len(k) for k in (*LABELS, *DOC_TYPES))
_DNR_START = re.compile(r"^(?:dnr|diarienummer)\b", re.I)
_TILL = re.compile(r"^till\s+(.{3,80})$", re.I)
_CONTACT_STARTS = ("box ", "telefon", "tfn", "tel", "växel", "fax", "e-post", "org")


def _may_be_contact(t: str) -> bool:
    """False only for lines that :data:`_CONTACT` cannot match: contact lines are at most three
    words, or start with a digit, ``+`` or one of the contact keywords."""
    return (
        len(t.split(maxsplit=3)) <= 3
        or t[0].isdigit()
        or t[0] == "+"
        or t[:7].lower().startswith(_CONTACT_STARTS)
    )


def classify(text: str) -> str | None:
    """What kind of non-text line ``text`` is, or None for running text and headings.

    Kinds: ``label``, ``field`` (label and value), ``value``, ``page``, ``contact``,
    ``doc_type``, ``org``, ``name``, ``job_title``, ``columns``.
    """
    t = text.strip()
    if not t or len(t) > 160:
        return None
    cols = columns(t)
    if (
        len(cols) >= 2
        and len(t) <= 140
        and all(len(c) <= 60 for c in cols)
        and (all(classify(c) for c in cols) or any(len(c.split()) <= 4 for c in cols))
    ):
        return "columns"
    # (The cheap length and first-word tests below only skip patterns that cannot match.)
    short = len(t) <= _LONGEST_LABEL
    if (short or t.endswith(":")) and _LABEL_ALONE.match(t):
        return "label"
    if _PAGE_NO.match(t):
        return "page"
    if is_value(t):
        return "value"
    if _may_be_contact(t) and _CONTACT.match(t):
        return "contact"
    if _LABEL_INLINE.match(t) and not t.endswith((".", "?", "!")) or _DNR_START.match(t):
        return "field"
    m = _TILL.match(t)
    if m and ORG_LINE.match(m.group(1).strip().rstrip(".")):
        return "field"
    if short and _DOC_TYPE.match(t):
        return "doc_type"
    if t.isupper() and len(t.split()) <= 4 and not re.search(r"\d", t) and len(t) > 2:
        return "doc_type"
    if ORG_LINE.match(t) and len(t.split()) <= 7 and not t.endswith((".", ":")):
        return "org"
    if is_job_title(t):
        return "job_title"
    if is_name(t):
        return "name"
    return None


# --- facts -------------------------------------------------------------------------------------


@dataclass
class MetaLine:
    """A line kept out of the running text, with its page and kind."""

    text: str
    page: int | None
    kind: str
    label: str | None = None  # the field it is the value of, when known


@dataclass
class Facts:
    """Facts read from the metadata lines."""

    dnr: str | None = None
    reference_dnr: str | None = None
    date: str | None = None
    addressee: str | None = None
    board: str | None = None
    administration: str | None = None
    handlaggare: str | None = None
    title: str | None = None
    organisations: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)


def iso_date(text: str) -> str | None:
    """The first date in ``text`` as ISO (``2015-10-06``), or None."""
    m = DATE_ISO.search(text)
    if m:
        return m.group(0)
    m = DATE_SV.search(text)
    if m:
        month = MONTHS.index(m.group(2).lower()) + 1
        return f"{m.group(3)}-{month:02d}-{int(m.group(1)):02d}"
    return None


def dnr_in(text: str) -> str | None:
    """A registration number in ``text`` (after a ``Dnr``/``Diarienummer`` label, or bare)."""
    m = re.search(
        r"\b(?:dnr|diarienummer|diarienr)[\s.:]*(" + DNR_TOKEN + r")", text, re.I
    ) or re.search(r"(?<![\w/.-])(" + DNR_TOKEN + r")(?![\w/.-])", text)
    if not m:
        return None
    value = m.group(1).strip().rstrip(".")
    if DATE_ISO.fullmatch(value) or _PAGE_NO.match(value):
        return None
    return value


def read_facts(lines: list[MetaLine]) -> Facts:
    """Dnr, date, addressee, board and officer from the metadata lines, in document order."""
    f = Facts()
    titles: list[str] = []
    for k, ln in enumerate(lines):
        if ln.kind == "title":
            if not titles or (k and lines[k - 1].kind == "title" and ln.text[:1].islower()):
                titles.append(ln.text.strip())
            continue
        label = ln.label
        t = ln.text.strip()
        if ln.kind == "field":
            m = _LABEL_INLINE.match(t)
            if m:
                label = LABELS.get(m.group(1).lower().rstrip(":")) or label
                t = m.group(2).strip()
            elif re.match(r"^(?:dnr|diarienummer)\b", t, re.I):
                label = "dnr"
            elif re.match(r"^till\s+", t, re.I):
                label, t = "addressee", re.sub(r"^till\s+", "", t, flags=re.I).rstrip(".")
        if label == "dnr" or (label is None and ln.kind in ("value", "field")):
            d = dnr_in(t) if not DATE_ISO.fullmatch(t) else None
            if d and f.dnr is None and label in ("dnr", None):
                f.dnr = d
                continue
        if label == "reference_dnr":
            d = dnr_in(t)
            if d and f.reference_dnr is None:
                f.reference_dnr = d
                continue
        if label in ("date", None) and f.date is None and ln.kind in ("value", "field", "label"):
            d = iso_date(t)
            if d:
                f.date = d
                continue
        if label == "addressee" and f.addressee is None and not is_value(t):
            f.addressee = t
            continue
        if label == "handlaggare" and f.handlaggare is None:
            f.handlaggare = re.split(r"\s+(?:Telefon|Tfn|Tel\.?)\b", t)[0].strip(" ,") or None
            continue
        if ln.kind == "org" and label is None:
            f.organisations.append(t)
        if ln.kind in ("name", "job_title"):
            f.signatures.append(t)
    for org in f.organisations:
        low = org.lower()
        if f.board is None and re.search(r"nämnd(en)?$|^nämnden för|styrelsen?$", low):
            f.board = org
        if f.administration is None and re.search(
            r"förvaltning(en)?$|kontor(et)?$|^förvaltningen för", low
        ):
            f.administration = org
    f.title = " ".join(titles) or None
    return f
