"""Build the ready example workbooks in workbooks/examples/ from finsam_xl/examples/*.yaml.

Run from the repository root: ``python tools/build_example_workbooks.py``.
Writes NAME.xlsx for each example, and NAME.xlsm (with the Beräkna buttons)
when the VBA builder is available.
"""

from __future__ import annotations

from pathlib import Path

from finsam_xl import jobs
from finsam_xl.model.interchange import load

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "finsam_xl" / "examples"
TARGET = ROOT / "workbooks" / "examples"


def main() -> None:
    """Write every example workbook (replacing older ones, without backups)."""
    TARGET.mkdir(parents=True, exist_ok=True)
    for source in sorted(SOURCE.glob("*.yaml")):
        budget = load(source)
        for suffix in (".xlsx", ".xlsm"):
            out = TARGET / f"{source.stem}{suffix}"
            out.unlink(missing_ok=True)
            try:
                jobs.new(budget, out, xlsm=suffix == ".xlsm")
            except ImportError:
                print(f"hoppar över {out.name}: VBA-byggaren saknas")
                continue
            out.with_name(f"{out.stem}.backup{suffix}").unlink(missing_ok=True)
            print(f"skrev {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
