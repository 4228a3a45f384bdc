"""Reading what an agent pastes: the number inside a URI, a label, an extension, invisible marks.

Softphones hand over `tel:` and `sip:` URIs, CRMs and mail signatures add labels ("Mobile: …"),
extensions and phone symbols (📞, ☎), chat and mail clients slip in invisible formatting
characters (zero-width spaces, direction marks, byte-order marks). All of it is peeled off here,
before phonenumbers sees the text, so that the rules about what a number may contain (digits,
separators, one leading '+') judge the number alone and still refuse letters anywhere else,
except a number spelled with keypad letters (`1-800-FLOWERS`), which `keypad_digits` dials.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

# URI schemes softphones and click-to-call links use; `//` is what Skype-era links add.
_SCHEME = re.compile(r"^(?P<scheme>tel|callto|sips?)\s*:\s*(?://)?", re.IGNORECASE)
# "Mobile: ", "Tel.: ", "Phone (work) : " — words without digits or '+', ending in a colon.
_LABEL = re.compile(r"^(?P<label>[^\d+:;@]{1,40}):\s*")
# RFC 3966 parameters (";ext=12", ";phone-context=example.com", ";isub=…", ";user=phone").
_PARAMETER = re.compile(r"^\s*(?P<name>[A-Za-z][\w-]*)\s*(?:=(?P<value>.*))?$", re.DOTALL)
# A trailing extension: "ext. 12", "(ext 12)", "x12", "ramal 12" (Brazil), or the dial
# string habit of pausing with commas ("…4567,,12"). Extensions are at most 6 digits, so a
# second full number after a comma is never taken for one. The letters must start a word:
# the 'x' of "Box12" is not an extension marker.
_EXTENSION = re.compile(
    r"(?:[\s,]*\(?\s*(?<![^\W\d_])(?:extension|extn|ext|ramal|x)\.?\s*[:.]?|\s*,+)\s*"
    r"(?P<digits>\d{1,6})\s*\)?\s*$",
    re.IGNORECASE,
)
# "… #12": a hash extension, recognised only after a space or a whole number's worth of digits
# (see _hash_extension), since a lone '#' inside digits is more likely a typo than an extension.
_HASH_EXTENSION = re.compile(r"(?P<space>\s*)#\s*(?P<digits>\d{1,6})\s*#?\s*$")
_MIN_DIGITS_BEFORE_HASH = 7
# Where two pasted numbers meet: list punctuation, line breaks, "or"/"and", and a '+' that
# follows digits ("+44 7946 095812 +44 20 7946 0018").
_PLUS_AFTER_DIGITS = re.compile(r"(?<=[\d)])[\s\-.]*(?=\+)")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_LIST_SEPARATOR = re.compile(r"[\n,;|/&]|\s(?:or|and)\s", re.IGNORECASE)
# What is left of a label once the phone symbol before its colon is dropped ("📞: 020…").
_BARE_COLON = re.compile(r"^\s*:\s*")
# Emoji that are not category So: skin-tone modifiers, the keycap mark, variation selectors.
_EMOJI_MARKS = re.compile("[\U0001f3fb-\U0001f3ff\u20e3\ufe00-\ufe0f\U000e0100-\U000e01ef]")
# A number spelled with letters, as businesses advertise them: digits first (at least three,
# "1-800", "0800"), then letters among digits and separators, at least three of them, so a
# stray letter typed for a zero ("020 7946 OO18") stays a typo to correct rather than a number.
_SPELLED = re.compile(r"^\+?[\d\s\-().\/]*$")
_MIN_DIGITS_BEFORE_LETTERS = 3
_MIN_LETTERS = 3
# ITU-T E.161: the letters on a telephone keypad.
_KEYPAD = str.maketrans(
    {
        letter: digit
        for digit, letters in {
            "2": "ABC",
            "3": "DEF",
            "4": "GHI",
            "5": "JKL",
            "6": "MNO",
            "7": "PQRS",
            "8": "TUV",
            "9": "WXYZ",
        }.items()
        for letter in letters + letters.lower()
    }
)


@dataclass(frozen=True, slots=True)
class Paste:
    """The number part of pasted text (ASCII digits, separators, '+') and its extension."""

    text: str
    extension: str | None


def paste_clean(*, raw: str) -> Paste:
    """Peel a URI scheme, label, parameters, extension and invisible characters off `raw`.

    Never raises: what is left is judged by the normalizer, which refuses letters and other
    characters with a reason a person can act on.
    """
    text = " ".join(_plain_text(_percent_decoded(raw)).split("\n"))
    # A label, a phone symbol's colon and a URI scheme come in any order ("Tel: 📞: tel:+44…").
    for _ in range(3):
        peeled = _without_scheme_or_label(_BARE_COLON.sub("", text))
        if peeled == text:
            break
        text = peeled
    text, extension = _without_parameters(text)
    text, trailing_extension = _without_extension(text)
    return Paste(text=text.strip(), extension=extension or trailing_extension)


def paste_split(*, raw: str) -> tuple[str, ...]:
    """The pieces `raw` falls into where two numbers could have been pasted together.

    Only a hint: the normalizer decides it is two numbers when the whole is not one number but
    at least two pieces are (an area code written "030/1234567" is one number).
    """
    # A phone symbol before each number ("📞 020 7946 0018 📱 07946 095812") separates them.
    symbols_apart = "".join(
        "\n" if unicodedata.category(character) == "So" else character
        for character in _percent_decoded(raw)
    )
    text = _PLUS_AFTER_DIGITS.sub("\n", _plain_text(symbols_apart))
    return tuple(part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip())


def keypad_digits(*, text: str) -> str | None:
    """`text` with its letters dialled (E.161: "1-800-FLOWERS" -> "1-800-356-9377") when it is
    a number spelled with letters; None otherwise (no letters, or letters that are not a
    spelled number: words, a typo). Separators are kept, so the result is shown as read."""
    first_letter = next((i for i, character in enumerate(text) if character.isalpha()), None)
    if first_letter is None:
        return None
    letters = [character for character in text if character.isalpha()]
    if (
        len(letters) < _MIN_LETTERS
        or not all(character.isascii() for character in letters)
        or sum(character.isdigit() for character in text[:first_letter])
        < _MIN_DIGITS_BEFORE_LETTERS
        or not text[:1].isdigit()
        and not text.startswith("+")
    ):
        return None
    dialled = text.translate(_KEYPAD)
    return dialled if _SPELLED.match(dialled) else None


def text_plain(*, raw: str) -> str:
    """What was pasted as plain text (see `_plain_text`), escapes undone, lines kept."""
    return _plain_text(_percent_decoded(raw))


def _percent_decoded(raw: str) -> str:
    """Undo a link's or URI's escapes ("%2B44…"); '%' is never part of a number, so it is safe."""
    return unquote(raw) if raw and _PERCENT_ESCAPE.search(raw) else raw or ""


def _plain_text(raw: str) -> str:
    """Map look-alikes to ASCII, drop invisible format characters, collapse spaces.

    NFKC turns full-width digits, '+' and letters into ASCII; other scripts' digits (Arabic-Indic,
    Devanagari…) have no compatibility mapping and are converted by value. Line breaks survive
    (as "\\n") because they separate pasted numbers. Phone symbols and emoji (📞 ☎ ✆, category
    So) are dropped before NFKC, which would spell ℡ as the letters "TEL".
    """
    symbols_dropped = "".join(
        character
        for character in _EMOJI_MARKS.sub("", raw or "")
        if unicodedata.category(character) != "So"
    )
    characters = []
    for character in unicodedata.normalize("NFKC", symbols_dropped):
        if character in _LINE_BREAKS:
            characters.append("\n")
        elif character.isspace():
            characters.append(" ")
        elif unicodedata.category(character) == "Cf":
            continue  # zero-width space, LRM/RLM, BOM, word joiner, soft hyphen…
        elif character.isdigit() and not character.isascii():
            characters.append(str(unicodedata.digit(character)))
        elif character in _DASHES:
            characters.append("-")
        else:
            characters.append(character)
    lines = (" ".join(line.split()) for line in "".join(characters).split("\n"))
    return "\n".join(line for line in lines if line)


def _without_scheme_or_label(text: str) -> str:
    scheme = _SCHEME.match(text)
    if not scheme:
        label = _LABEL.match(text)
        if label and any(character.isalpha() for character in label["label"]):
            text = text[label.end() :]
            scheme = _SCHEME.match(text)
    if not scheme:
        return text
    user = text[scheme.end() :]
    # sip:+447946095812@pbx.example;user=phone — the host and its parameters are not the number,
    # nor is a SIP password (user:password@host).
    if "@" in user:
        user = user.split("@", 1)[0]
        if scheme["scheme"].lower().startswith("sip"):
            user = user.split(":", 1)[0]
    return " ".join(_plain_text(user).split("\n"))


def _without_parameters(text: str) -> tuple[str, str | None]:
    """Drop `;name=value` parameters, keeping `ext`'s digits; other `;` pieces stay in place."""
    pieces = text.split(";")
    kept = [pieces[0]]
    extension = None
    for piece in pieces[1:]:
        parameter = _PARAMETER.match(piece)
        if parameter is None:
            kept.append(piece)  # not a parameter: maybe a second number, judged later
        elif parameter["name"].lower() == "ext" and extension is None:
            extension = "".join(filter(str.isdigit, parameter["value"] or "")) or None
    return ";".join(kept), extension


def _without_extension(text: str) -> tuple[str, str | None]:
    match = _EXTENSION.search(text)
    if match:
        return text[: match.start()], match["digits"]
    match = _HASH_EXTENSION.search(text)
    if match:
        before = text[: match.start()]
        digits_before = sum(character.isdigit() for character in before)
        if match["space"] or digits_before >= _MIN_DIGITS_BEFORE_HASH:
            return before, match["digits"]
    return text, None
