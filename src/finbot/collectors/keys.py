"""The API keys of one client: round-robin rotation, cool-downs after a 429, and keys dropped
for the session after the API rejected them. A key's text never leaves this module except in
the request header; everything else sees its masked id."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from finbot.config import mask
from finbot.i18n import N_, Message

log = logging.getLogger(__name__)

PUBLIC_ID = "public"


@dataclass
class _Key:
    secret: str | None
    key_id: str
    cooldown_until: float = 0.0

    def __repr__(self) -> str:  # never print the secret
        return f"_Key({self.key_id})"


class KeyRing:
    """Keys in round-robin order; a keyless ring has one ``public`` slot."""

    def __init__(self, keys: tuple[str, ...] | list[str]):
        unique = list(dict.fromkeys(k for k in keys if k))
        self._keys = [_Key(k, self._unique_id(k, i, unique)) for i, k in enumerate(unique)]
        if not self._keys:
            self._keys = [_Key(None, PUBLIC_ID)]
        self._next = 0

    @staticmethod
    def _unique_id(key: str, index: int, keys: list[str]) -> str:
        masked = mask(key)
        clashes = sum(1 for other in keys if mask(other) == masked)
        return masked if clashes == 1 else f"{masked}#{index + 1}"

    def __repr__(self) -> str:
        return f"KeyRing({[k.key_id for k in self._keys]})"

    @property
    def keyless(self) -> bool:
        return self._keys[0].secret is None

    @property
    def size(self) -> int:
        return len(self._keys)

    def ids(self) -> list[str]:
        return [k.key_id for k in self._keys]

    def secret_of(self, key_id: str) -> str | None:
        for key in self._keys:
            if key.key_id == key_id:
                return key.secret
        return None

    def pick(self, now: float) -> tuple[str, float]:
        """The next key in turn that is not cooling down, and 0; or, when every key cools
        down, the one free soonest and the seconds until it is."""
        if not self._keys:
            raise LookupError("no key left")
        for offset in range(len(self._keys)):
            key = self._keys[(self._next + offset) % len(self._keys)]
            if key.cooldown_until <= now:
                self._next = (self._next + offset + 1) % len(self._keys)
                return key.key_id, 0.0
        return self.soonest(now)

    def soonest(self, now: float) -> tuple[str, float]:
        """The key free soonest and the seconds until it is (0 when one is free); the turn
        order does not change."""
        if not self._keys:
            raise LookupError("no key left")
        key = min(self._keys, key=lambda k: k.cooldown_until)
        return key.key_id, max(0.0, key.cooldown_until - now)

    def any_ready(self, now: float) -> bool:
        """Whether some key is not cooling down at ``now``."""
        return any(k.cooldown_until <= now for k in self._keys)

    def cool_down(self, key_id: str, until: float) -> None:
        """Rest ``key_id`` until ``until`` (epoch seconds) after a rate-limit answer."""
        for key in self._keys:
            if key.key_id == key_id:
                key.cooldown_until = max(key.cooldown_until, until)

    def drop(self, key_id: str, reason: str) -> None:
        """Remove a rejected key for the rest of the session (logged masked)."""
        before = len(self._keys)
        self._keys = [k for k in self._keys if k.key_id != key_id]
        if len(self._keys) < before:
            line = Message(
                N_("CoinGecko key {key} rejected ({reason}); dropped for this session"),
                key=key_id,
                reason=reason,
            )
            log.warning("%s", line)
            self._next = self._next % len(self._keys) if self._keys else 0

    def __len__(self) -> int:
        return len(self._keys)
