"""Progress-bar labels in the user's language.

The library calls report progress with short English labels (``collect: bitcoin 1h``,
``train: done``, a model's name); the words of those labels are messages, translated here
when a bar shows them. Coin ids, timeframes and algorithm names are left as they are.
"""

from __future__ import annotations

import re

from finbot.i18n import N_, translate

# the words the libraries' progress labels are made of (phases of the demo, end of a run)
WORDS: dict[str, str] = {
    "serve": N_("serve"),
    "collect": N_("collect"),
    "train": N_("train"),
    "predict": N_("predict"),
    "report": N_("report"),
    "done": N_("done"),
    "training": N_("training"),
    "collecting": N_("collecting"),
}
_TOKEN = re.compile(r"[A-Za-z_]+")


def progress_label(lang: str, label: str) -> str:
    """``label`` with each of its known words in ``lang`` (``collect: done`` is ``collecte:
    terminé`` in French); the separators and unknown words (coin ids) stay."""
    shown = _TOKEN.sub(lambda m: translate(lang, WORDS[m[0]]) if m[0] in WORDS else m[0], label)
    if ": " in shown:  # the colon as the language writes it (French: a space before it)
        head, _, tail = shown.partition(": ")
        shown = translate(lang, "{label}:", label=head) + " " + tail
    return shown
