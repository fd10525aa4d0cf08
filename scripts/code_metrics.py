"""Size figures of ``src/finbot`` quoted in closing notes (before/after a change).

    python scripts/code_metrics.py [--json]

largest module (lines), functions longer than 40 lines, occurrences of ``Any`` and of
``except Exception``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "finbot"
LONG_FUNCTION = 40


def figures() -> dict[str, object]:
    largest = ("", 0)
    long_functions: list[str] = []
    any_count = 0
    broad = 0
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        rel = str(path.relative_to(SRC.parent))
        if lines > largest[1]:
            largest = (rel, lines)
        any_count += len(re.findall(r"\bAny\b", text))
        broad += len(re.findall(r"except\s+(?:\(\s*)?Exception\b", text))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > LONG_FUNCTION:
                    long_functions.append(f"{rel}:{node.name} ({length})")
    return {
        "largest_module": f"{largest[0]} ({largest[1]} lines)",
        "functions_over_40_lines": len(long_functions),
        "long_functions": long_functions,
        "any": any_count,
        "except_exception": broad,
    }


def main() -> int:
    data = figures()
    if "--json" in sys.argv:
        print(json.dumps(data, indent=1))
        return 0
    for key, value in data.items():
        if key != "long_functions":
            print(f"{key}: {value}")
    for item in data["long_functions"]:  # type: ignore[attr-defined]
        print(f"  {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
