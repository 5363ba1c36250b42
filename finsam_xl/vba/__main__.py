"""Command line: write the finsam_xl ``vbaProject.bin``.

Example::

    python -m finsam_xl.vba build/vbaProject.bin --sheets Sheet1 Sheet2 [--embed-xlwings]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .project import build_vba_project
from .sources import finsam_modules


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, build the project and write it; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m finsam_xl.vba", description="Write the finsam_xl vbaProject.bin."
    )
    parser.add_argument("output", type=Path, help="file to write, e.g. vbaProject.bin")
    parser.add_argument(
        "--sheets", nargs="*", default=["Sheet1"], help="worksheet code names, in sheet order"
    )
    parser.add_argument("--workbook-code-name", default="ThisWorkbook")
    parser.add_argument("--project-name", default="VBAProject")
    parser.add_argument(
        "--embed-xlwings",
        action="store_true",
        help="embed xlwings' VBA module from the installed xlwings instead of using the add-in",
    )
    args = parser.parse_args(argv)
    data = build_vba_project(
        finsam_modules(args.embed_xlwings),
        args.sheets,
        args.project_name,
        workbook_code_name=args.workbook_code_name,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
