"""report.html: built for every saved run, self-contained, rebuilt identically by ``sim report``."""
import base64
import re
import shutil

import pandas as pd
import pytest

import sim
from conftest import ROOT
from sim import report
from sim.assumptions import marked_values
from sim.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BASELINE = ROOT / "configs" / "baseline.toml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return sim.run(str(BASELINE), workers=5000).save(tmp_path_factory.mktemp("runs"))


@pytest.fixture(scope="module")
def page(run_dir):
    return (run_dir / "report.html").read_text(encoding="utf-8")


def test_a_saved_run_has_a_report(run_dir, page):
    assert (run_dir / "report.html").is_file()
    assert page.startswith("<!DOCTYPE html>") and "baseline" in page


def test_the_report_holds_every_calibration_row(run_dir, page):
    names = pd.read_csv(run_dir / "calibration.csv")["name"]
    assert len(names) > 0
    for name in names:
        assert f"<td>{name}<br>" in page


def test_the_report_lists_every_assumption_of_the_config(page):
    text = BASELINE.read_text()
    found = marked_values(text)
    assert len(found) >= text.count("(assumption)") - 1  # the header comment explains the marker
    for key, _value, reason in found:
        assert f"<code>{key}</code>" in page
        assert "(assumption)" not in reason


def test_assumptions_are_read_from_key_lines_comment_blocks_and_tables():
    text = ('# (assumption) file header, not a key\n\n[a]\n# (assumption) the why\nx = 1\n'
            'y = "#not a comment" # (assumption) inline\nz = 2  # (article)\n'
            '# (assumption) whole table\n[b.c]\nk = [\n  [0, 1.0],\n  [24, 1.3],\n]\n')
    assert marked_values(text) == [("a.x", "1", "the why"), ("a.y", '"#not a comment"', "inline"),
                                        ("b.c", "k = [ [0, 1.0], [24, 1.3], ]", "whole table")]


def test_the_report_references_no_external_url(page):
    for attribute in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page):
        assert attribute.startswith("data:"), attribute
    assert "url(" not in page
    without_images = re.sub(r'src="data:[^"]*"', "", page)
    assert "http://" not in without_images and "https://" not in without_images
    assert not re.search(r'(?:src|href)\s*=\s*["\']?//', page)


def test_every_image_is_an_embedded_png(run_dir, page):
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == len(list(run_dir.glob("*.png")))
    for image in images:
        data = re.search(r'src="data:image/png;base64,([^"]+)"', image).group(1)
        assert base64.b64decode(data).startswith(PNG_SIGNATURE)


def test_sim_report_rebuilds_the_same_page(run_dir, page, capsys):
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0
    first = (run_dir / "report.html").read_bytes()
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report.html").read_bytes() == first == page.encode("utf-8")
    assert not [path for path in run_dir.iterdir() if path.name.startswith(".")]  # no temporary file left


def test_a_run_missing_a_figure_still_gets_a_report(run_dir, tmp_path):
    copy = shutil.copytree(run_dir, tmp_path / "copy")
    (copy / "flows.png").unlink()
    assert main(["report", str(copy)]) == 0
    text = (copy / "report.html").read_text()
    assert "The figure flows.png is missing" in text
    assert text.count("<img ") == len(list(copy.glob("*.png")))


def test_a_missing_config_file_is_said_not_failed(run_dir, tmp_path):
    copy = shutil.copytree(run_dir, tmp_path / "copy")
    manifest = (copy / "manifest.json").read_text()
    (copy / "manifest.json").write_text(manifest.replace(str(BASELINE), str(tmp_path / "gone.toml")))
    assert main(["report", str(copy)]) == 0
    text = (copy / "report.html").read_text()
    assert "no longer exists" in text and "<code>skim.share</code>" not in text


def test_a_policy_timeline_is_tabled(run_dir, tmp_path):
    copy = shutil.copytree(run_dir, tmp_path / "copy")
    manifest = (copy / "manifest.json").read_text()
    manifest = manifest.replace('"quota_multiplier": 1.0', '"quota_multiplier": [[0, 1.0], [24, 1.3]]')
    (copy / "manifest.json").write_text(manifest)
    text = report.render(copy)
    assert "<td>quota multiplier</td><td class=\"n\">24</td><td class=\"n\">1.3</td>" in text
    assert "wage index" not in text.split("Policy timeline")[1].split("Provenance")[0]


@pytest.mark.parametrize("make", [lambda tmp: tmp, lambda tmp: tmp / "absent"])
def test_sim_report_on_a_directory_that_is_no_run_exits_2(make, tmp_path, capsys):
    assert main(["report", str(make(tmp_path))]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: ")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
MATPLOTLIB_BLUE = (0x1F, 0x77, 0xB4)
"""The colour of the plotted series (tab:blue); nothing else on the page is this blue."""


def screenshot(page_path, out, tmp_path, height=9000):
    """A PNG of the page as headless Chromium renders it from disk."""
    import subprocess

    subprocess.run([CHROMIUM, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={out}",
                    f"--window-size=1200,{height}", page_path.as_uri()], check=True, capture_output=True,
                   timeout=120)
    return out


def blue_pixels(png) -> int:
    """How many pixels of the screenshot are the plotted series' blue (within a few levels)."""
    import numpy as np
    from matplotlib.image import imread

    rgb = (imread(png)[..., :3] * 255).round()
    return int((np.abs(rgb - np.array(MATPLOTLIB_BLUE)).max(axis=-1) <= 6).sum())


@pytest.mark.skipif(CHROMIUM is None and not __import__("os").environ.get("CI"),
                    reason="headless Chromium not installed (.ci/run installs Debian's chromium)")
def test_the_page_renders_in_chromium_with_its_figures_loaded(run_dir, tmp_path):
    """Rendered from disk, with the network unreachable, the figures show: the plotted blue
    covers thousands of pixels; the same page with its images broken shows almost none."""
    assert CHROMIUM, "CI must have chromium (.ci/run installs it)"
    shot = screenshot(run_dir / "report.html", tmp_path / "report.png", tmp_path)
    broken = tmp_path / "broken.html"
    broken.write_text(re.sub(r'src="data:image/png;base64,[^"]+"', 'src="missing.png"',
                             (run_dir / "report.html").read_text(encoding="utf-8")), encoding="utf-8")
    broken_shot = screenshot(broken, tmp_path / "broken.png", tmp_path)
    assert blue_pixels(shot) > 5_000
    assert blue_pixels(broken_shot) < 500


def test_sim_report_says_a_study_directory_has_no_page(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"study_file": "study.toml"}')
    (tmp_path / "study.json").write_text("{}")
    assert main(["report", str(tmp_path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (f"error: {tmp_path}: a sweep, sensitivity or calibration directory has no report.html; "
                    f"its tables and PNG figures are the result")
    assert not (tmp_path / "report.html").exists()
