"""Print which corpus layouts read right: ``python tests/corpus/score.py`` from the repo root.

One line per file of ``tests/corpus/files``: the test id, PASS or FAIL, and for a failure
what differs (the same checks as ``tests/test_corpus.py``), then the share read right.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_corpus  # noqa: E402  (the path above makes the repository's modules importable)


def main() -> int:
    names = list(test_corpus.EXPECTED)
    ids = test_corpus.case_ids()
    width = max(map(len, ids))
    passed = 0
    for name, test_id in zip(names, ids, strict=True):
        try:
            found = test_corpus.problems(name)
        except Exception as exc:  # a crash is a failure of that layout, not of the score
            found = [f"crashed: {type(exc).__name__}: {str(exc)[:160]}"]
        passed += not found
        print(f"{test_id:<{width}}  {'PASS' if not found else 'FAIL'}  {' | '.join(found)}")
    print(f"\n{passed}/{len(names)} layouts read right ({100 * passed / len(names):.0f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
