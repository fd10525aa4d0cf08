"""Developer tools, each runnable with ``python -m finbot.tools.<name>``."""
