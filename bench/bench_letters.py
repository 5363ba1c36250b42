"""Member letters: 50 Word letters (content + document + save) from one evaluated budget.

Target (issue 21): letters for 50 members under 2 s of CPU. Baseline in the same
run: python-docx writing one empty document, so the ratio says what one letter
costs on top of python-docx's own floor (opening its template and saving).
The budget is evaluated once beforehand, as ``medlemsbrev`` does after ``kontrollera``.
Run: python bench/bench_letters.py
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from docx import Document  # noqa: E402
from synth import big_budget  # noqa: E402

from finsam_xl.core.evaluate import evaluate  # noqa: E402
from finsam_xl.core.letters import member_letters  # noqa: E402
from finsam_xl.word.member_letter import build_letter, letter_base  # noqa: E402

WHEN = datetime(2026, 1, 15, 9, 0)


def cpu(fn: Callable[[], object], repeat: int) -> float:
    """The least CPU time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    budget = big_budget(members=50, lines=200)
    data = budget.model_copy(
        update={"settings": budget.settings.model_copy(update={"payment_frequency": "kvartal"})}
    )
    result = evaluate(data)

    def empty() -> None:
        Document().save(io.BytesIO())

    def letters() -> int:
        made = member_letters(data, result)
        base = letter_base(made[0], WHEN)  # as the job does: one base per run
        for letter in made:
            build_letter(letter, WHEN, base).save(io.BytesIO())
        return len(made)

    count = letters()
    base = cpu(empty, 10)
    content = cpu(lambda: member_letters(data, result), 5)
    total = cpu(letters, 3)
    print(f"baseline (python-docx, one empty document saved): {base * 1000:.1f} ms CPU")
    print(f"content of {count} letters (core.letters): {content * 1000:.0f} ms CPU")
    print(
        f"{count} letters, content + Word + save: {total:.2f} s CPU (target < 2 s); "
        f"{total / count * 1000:.1f} ms per letter = {total / count / base:.2f}x baseline"
    )


if __name__ == "__main__":
    main()
