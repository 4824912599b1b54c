"""The command line, as a user runs it: import, export, check, generate, on both databases."""

from __future__ import annotations

from typer.testing import CliRunner

from opencpr.cli import app
from opencpr.formats.extract import iter_lines
from opencpr.register.demo import demo_extract_path

runner = CliRunner()


def run(database_url: str, *args: str):
    return runner.invoke(app, [*args, "--database-url", database_url], catch_exceptions=False)


def test_import_export_check(database_url, tmp_path):
    demo = str(demo_extract_path())
    result = run(database_url, "import", demo)
    assert result.exit_code == 0, result.output
    assert "Imported 80 persons (1,098 records)" in result.output
    out = tmp_path / "export.txt"
    result = run(database_url, "export", "-o", str(out), "--pnr", "010196-5058", "--pnr", "0707614285")
    assert result.exit_code == 0, result.output
    with open(out, "rb") as f:
        lines = [t for _, t in iter_lines(f)]
    assert {t[3:13] for t in lines[1:-1]} == {"0101965058", "0707614285"}
    result = run(database_url, "check")
    assert result.exit_code == 0
    assert "OK: 80 persons" in result.output


def test_a_malformed_extract_is_refused_with_its_line(database_url, tmp_path):
    bad = tmp_path / "bad.txt"
    data = demo_extract_path().read_bytes().split(b"\n")
    data[4] = b"0099999"
    bad.write_bytes(b"\n".join(data))
    result = run(database_url, "import", str(bad))
    assert result.exit_code == 1
    assert "line 5" in result.output and "Nothing was stored" in result.output
    result = run(database_url, "summary")
    assert "│ persons" in result.output and "0 " in result.output.split("│ persons")[1][:40]


def test_export_refuses_a_bad_pnr(database_url):
    result = run(database_url, "export", "--pnr", "12345")
    assert result.exit_code == 2
    assert "12345" in result.output


def test_generate_then_check(database_url):
    result = run(database_url, "generate", "--persons", "1500", "--seed", "7", "--workers", "0")
    assert result.exit_code == 0, result.output
    assert "Generated 1,500 persons" in result.output
    result = run(database_url, "check")
    assert result.exit_code == 0, result.output
