"""The bundled demonstration: it demonstrates (exit 0) and says what the tool caught."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from finsam_xl.cli import app


def test_demo_frames_its_errors_as_findings_and_exit_codes_agree(tmp_path: Path) -> None:
    out = tmp_path / "demo.xlsx"
    runner = CliRunner()
    demo = runner.invoke(app, ["demo", "-o", str(out)])
    assert demo.exit_code == 0, demo.output
    assert "4 fel" in demo.output
    assert "verktygets fynd i den publicerade budgeten: 4 tryckta summor" in demo.output
    assert "kontrollera och berakna av samma fil avslutas med 1" in demo.output
    # what the demo says about the other commands is true
    assert runner.invoke(app, ["kontrollera", str(out)]).exit_code == 1
    assert runner.invoke(app, ["berakna", str(out)]).exit_code == 1
