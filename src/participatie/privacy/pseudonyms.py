"""Keyed pseudonyms: the same person is the same pseudonym within one export only.

An export or report that names nobody can still be joined with another one
if both use the same pseudonym for a person (a plain hash of the e-mail
address would do that, and anyone can hash a guessed address to find
someone). A :class:`Pseudonymiser` computes HMAC-SHA-256 of the address with
a key; by default a fresh random key per pseudonymiser, which is never
stored, so two exports get unrelated pseudonyms and nobody — not even the
organiser — can turn a pseudonym back into a person. A caller who needs
stable pseudonyms across exports passes their own key and then holds the
link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from participatie.exceptions import InvalidInputError

__all__ = ["PSEUDONYM_PREFIX", "Pseudonymiser"]

#: Every pseudonym starts with this, so a reader sees it is one.
PSEUDONYM_PREFIX = "p-"
_MIN_KEY_BYTES = 16


class Pseudonymiser:
    """Turns identifiers (e-mail addresses) into keyed pseudonyms such as ``p-3f9c0a…``.

    Args:
        key: At least 16 bytes; by default 32 fresh random bytes that are
            never stored or shown.
        length: Hexadecimal characters per pseudonym (16 = 64 bits: a
            collision among a million people has a chance of about 1 in
            36 million).
    """

    def __init__(self, key: bytes | None = None, *, length: int = 16) -> None:
        if key is None:
            key = secrets.token_bytes(32)
        if not isinstance(key, bytes) or len(key) < _MIN_KEY_BYTES:
            raise InvalidInputError(f"a pseudonym key must be at least {_MIN_KEY_BYTES} bytes")
        if not 8 <= length <= 64:
            raise InvalidInputError("a pseudonym has 8 to 64 hexadecimal characters")
        self._key = key
        self._length = length

    def __repr__(self) -> str:
        return f"Pseudonymiser(length={self._length})"  # never the key

    def __call__(self, identifier: str) -> str:
        """The pseudonym of ``identifier`` (trimmed, NFKC, lower case first)."""
        text = unicodedata.normalize("NFKC", identifier.strip()).lower()
        digest = hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[: self._length]
