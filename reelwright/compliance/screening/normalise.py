"""Text as people write it, folded to the lower-case ASCII the matcher reads.

`fold` maps every character to exactly one character, so offsets in the folded text are
offsets in the original and a finding's span points at what the user wrote. Per character:
invisible joiners and variation selectors become a joining "-"; Unicode compatibility forms
(NFKC: fullwidth, mathematical bold, circled and squared letters) and diacritics fold to
their base letter; emoji that stand in for letters (🅰, ⭕, regional indicators) become that
letter; letters that look like a Latin letter become it, by the UTS #39 confusables data
(the `confusable_homoglyphs` package); whitespace becomes a space and other punctuation and
symbols a ".". Letters of other scripts are kept, for the native-script matcher.

The mapping is computed per distinct character the first time it is seen and kept for the
process, so start-up loads nothing and a 1 MB text costs one `set()` and one `translate`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

LOOKALIKES = {
    # letters whose UTS #39 prototype is not an ASCII letter but that read as one
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "ı": "i",
    "ß": "s",
    "æ": "a",
    "œ": "o",
    "þ": "p",
    "ð": "d",
    "ŋ": "n",
    "ĸ": "k",
    "ſ": "s",
    "ℓ": "l",
    "в": "b",
    "н": "h",
    "т": "t",
    "к": "k",
    "м": "m",
    "η": "n",
    "κ": "k",
    "μ": "u",
    "γ": "y",
    "ω": "w",
    "ʙ": "b",
    "ᴀ": "a",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
}
EMOJI_LETTERS = {
    # emoji and symbols people type in place of a letter
    "⭕": "o",
    "⚪": "o",
    "⚫": "o",
    "🔴": "o",
    "🔵": "o",
    "❌": "x",
    "❎": "x",
    "✖": "x",
    "✝": "t",
    "💲": "s",
    "⚡": "s",
    "ℹ": "i",
    "❗": "i",
    "❕": "i",
    "🅾": "o",
    "🅿": "p",
    "🆇": "x",
    "➰": "o",
    "🍩": "o",
    "⓪": "o",
    "💯": "o",
}
INVISIBLE = set(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f\u20e3"
    + "".join(map(chr, range(0xFE00, 0xFE10)))  # variation selectors
    + "".join(map(chr, range(0x1F3FB, 0x1F400)))  # skin-tone modifiers
)
LETTER_BLOCKS = (
    (0x1F1E6, 0x1F1FF),  # regional indicators 🇦..🇿
    (0x1F170, 0x1F189),  # negative squared 🅰..🆉
    (0x1F150, 0x1F169),  # negative circled 🅐..🅩
    (0x1F130, 0x1F149),  # squared 🄰..🅉 (also NFKC, kept for clarity)
)
NON_ALNUM = re.compile(r"[^a-z0-9]")
NON_ALPHA = re.compile(r"[^a-z]")


def fold(text: str) -> str:
    """Lower-case ASCII view of text with the same length (other scripts' letters kept)."""
    if text.isascii():
        return text.lower()
    table = _TABLE
    new = [ch for ch in set(text) if ord(ch) not in table and ord(ch) >= 0x80]
    for ch in new:  # a dict item set is atomic: agents may screen from several threads
        table[ord(ch)] = fold_char(ch)
    return text.translate(table)


_TABLE: dict[int, str] = {cp: chr(cp + 32) for cp in range(ord("A"), ord("Z") + 1)}
"""Code point -> folded character, filled as characters are first seen (ASCII maps itself
without an entry)."""


def fold_char(ch: str) -> str:
    """One character's folded form (one character)."""
    if ch in INVISIBLE:
        return "-"  # joins the letters around it into one word
    low = ch.lower() if len(ch.lower()) == 1 else ch
    if low in LOOKALIKES:
        return LOOKALIKES[low]
    if ch in EMOJI_LETTERS:
        return EMOJI_LETTERS[ch]
    cp = ord(ch)
    for first, last in LETTER_BLOCKS:
        if first <= cp <= last:
            return chr(ord("a") + cp - first)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    base = unicodedata.normalize("NFKC", base).lower()
    if len(base) == 1 and base.isascii() and base.isalnum():
        return base
    if base and base[0].isascii() and base[0].isalnum() and unicodedata.category(ch) != "No":
        return base[0]
    if ch.isspace():
        return " "
    prototype = confusable_prototypes().get(ch)
    if prototype:
        return prototype
    if unicodedata.category(ch).startswith(("P", "S", "Z", "C")):
        return "."
    return low


@lru_cache(maxsize=1)
def confusable_prototypes() -> dict[str, str]:
    """Characters the UTS #39 confusables data says look like one ASCII letter or digit.

    Loaded once, on the first character no cheaper rule folds."""
    text = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    data: dict[str, list[dict[str, str]]] = json.loads(text)

    def ascii_of(ch: str) -> str | None:
        for h in data.get(ch, ()):
            c = h["c"]
            if len(c) == 1 and c.isascii() and c.isalnum():
                return c.lower()
        return None

    out: dict[str, str] = {}
    for ch in data:
        if len(ch) != 1 or ch.isascii():
            continue
        found = ascii_of(ch)
        if found is None:  # one step further: a look-alike of a look-alike
            for h in data[ch]:
                found = ascii_of(h["c"]) if len(h["c"]) == 1 else None
                if found:
                    break
        if found:
            out[ch] = found
    return out


def key(phrase: str) -> str:
    """A phrase's matching key: its folded letters and digits."""
    return NON_ALNUM.sub("", fold(phrase))


def name_words(phrase: str) -> list[str]:
    """A name's words, without a leading "the" ("The Rock" is found as "rock")."""
    words = [w for w in re.split(r"\s+", fold(phrase)) if w]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return words


def name_key(phrase: str) -> str:
    return NON_ALNUM.sub("", "".join(name_words(phrase)))
