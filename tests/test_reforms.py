"""Reforms as partial files: ``extends`` a base, holds only what differs, validated merged."""
import json
import shutil

import pytest

from conftest import BASELINE
from sim import api
from sim.cli import main
from sim.config import ConfigError
from sim.scenario_file import load_config, merged


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_reform_holds_only_what_differs(tmp_path):
    reform = write(tmp_path, "quota_hike.toml", f'extends = "{BASELINE}"\n\n[timeline]\n'
                                                  'quota_multiplier = [[0, 1.0], [24, 1.3]]\n')
    scenario, base = load_config(reform), load_config(BASELINE)
    assert scenario.timeline.quota_multiplier == [[0.0, 1.0], [24.0, 1.3]]
    assert scenario.model_dump(exclude={"timeline"}) == base.model_dump(exclude={"timeline"})
    assert scenario.bases == (BASELINE.resolve(),)


def test_merging_replaces_a_distribution_whole_and_merges_tables_key_by_key():
    base = {"destinations": {"russia": {"share": 1.0, "bribe_usd": {"dist": "uniform", "low": 500, "high": 700}}}}
    reform = {"destinations": {"russia": {"bribe_usd": {"dist": "fixed", "value": 600}}}}
    assert merged(base, reform) == {"destinations": {"russia": {"share": 1.0,
                                                                "bribe_usd": {"dist": "fixed", "value": 600}}}}


def test_a_reform_chain_resolves_each_base_beside_the_file_naming_it(tmp_path):
    shutil.copy(BASELINE, tmp_path / "baseline.toml")
    write(tmp_path, "policies/hike.toml", 'extends = "../baseline.toml"\n[timeline]\nquota_multiplier = 1.2\n')
    deeper = write(tmp_path, "policies/more/hike_and_ban.toml",
                   'extends = "../hike.toml"\n[timeline]\nrecruit_open = [[0, 1.0], [12, 0.0]]\n')
    scenario = load_config(deeper)
    assert scenario.timeline.quota_multiplier == 1.2 and scenario.timeline.recruit_open[1] == [12.0, 0.0]
    assert [path.name for path in scenario.bases] == ["hike.toml", "baseline.toml"]


@pytest.mark.parametrize("text, words", [
    ('extends = "{base}"\n[timeline]\nquota_multiplyer = 1.3\n', "timeline.quota_multiplyer: unknown key"),
    ('extends = "missing.toml"\n', "extends: "),
    ('extends = 3\n', "extends: expected the path"),
    ('extends = "self.toml"\n', "a cycle"),
])
def test_a_bad_reform_is_refused_naming_the_key_and_writes_nothing(tmp_path, capsys, text, words):
    reform = write(tmp_path, "self.toml", text.format(base=BASELINE))
    out = tmp_path / "out"
    assert main(["run", str(reform), "--workers", "1000", "--out", str(out)]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_set_with_nothing_after_the_equals_sign_removes_a_key():
    """Switching the quota rule needs the retention allowance gone."""
    switched = load_config(BASELINE, ["quota.rule=\"drawn\"", "quota.retention_usd_per_month=",
                                      "quota.quota_usd_per_month=700"])
    assert switched.quota.rule == "drawn" and switched.quota.retention_usd_per_month is None
    with pytest.raises(ConfigError, match="no such key"):
        load_config(BASELINE, ["quota.no_such_key="])


def test_a_copied_config_still_finds_the_source_figures(tmp_path):
    copy = tmp_path / "elsewhere" / "my-baseline.toml"
    copy.parent.mkdir()
    shutil.copy(BASELINE, copy)
    result = api.run(copy, workers=2000)
    assert (result.calibration.status == "in range").sum() >= 5


def test_the_results_record_the_reform_its_base_and_the_merged_config(tmp_path, capsys):
    reform = write(tmp_path, "hike.toml", f'extends = "{BASELINE}"\n[timeline]\nquota_multiplier = 1.2\n')
    assert main(["run", str(reform), "--workers", "2000", "--out", str(tmp_path / "out")]) == 0
    (directory,) = (tmp_path / "out").iterdir()
    assert directory.name.startswith("hike-")
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["config_file"] == str(reform.resolve())
    assert manifest["extends"] == [str(BASELINE.resolve())]
    assert manifest["config"]["timeline"]["quota_multiplier"] == 1.2
    assert manifest["config"]["simulation"]["stock_target"] == 30_000


def test_a_reform_can_unset_keys_of_its_base(tmp_path):
    """configs/world.toml makes the cohort of destinations.toml a stock: its cohort_size must go."""
    world = load_config(BASELINE.parent / "world.toml")
    assert world.simulation.mode == "stock" and world.simulation.cohort_size is None
    assert set(world.destinations) == {"russia", "china", "middle_east"}
    bad = write(tmp_path, "bad.toml", f'extends = "{BASELINE}"\nunset = ["simulation.no_such_key"]\n')
    with pytest.raises(ConfigError, match="unset.*no such key"):
        load_config(bad)
    alone = write(tmp_path, "alone.toml", 'unset = ["simulation.seed"]\n')
    with pytest.raises(ConfigError, match="only a file that extends a base"):
        load_config(alone)
