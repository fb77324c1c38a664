"""Numba's cache is keyed on every module of sim, so an edit to a helper the kernel inlines
recompiles the kernel instead of running the old machine code (see :mod:`sim.jit_cache`)."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numba
import pytest

import sim
from sim import jit_cache, kernel

ROOT = Path(__file__).resolve().parent.parent
KERNEL_HELPERS = ["recruitment.py", "sampling.py", "packing.py", "rng.py", "layout.py", "schema.py", "outputs.py"]


def copy_package(destination: Path) -> Path:
    shutil.copytree(ROOT / "sim", destination / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    return destination / "sim"


def test_the_cache_key_depends_on_every_module_and_nothing_else(tmp_path):
    package = copy_package(tmp_path)
    key = jit_cache.cache_key(package)
    assert jit_cache.cache_key(package) == key
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "kernel.simulate_group-86.py311.nbi").write_bytes(b"not source")
    assert jit_cache.cache_key(package) == key
    for name in KERNEL_HELPERS:
        original = (package / name).read_bytes()
        (package / name).write_bytes(original + b"\n")
        assert jit_cache.cache_key(package) != key, name
        (package / name).write_bytes(original)
    (package / "new_helper.py").write_text("X = 1\n")
    assert jit_cache.cache_key(package) != key
    assert jit_cache.cache_key(package, version="9.9") != jit_cache.cache_key(package, version="0.1")


def test_pruning_removes_only_older_keys_of_this_install_and_long_unused_ones(tmp_path):
    install, other = "a" * 12, "b" * 12
    current = tmp_path / f"{install}-{'1' * 16}"
    older = tmp_path / f"{install}-{'2' * 16}"
    other_recent = tmp_path / f"{other}-{'3' * 16}"
    other_unused = tmp_path / f"{other}-{'4' * 16}"
    not_ours = tmp_path / "something-else"
    for directory in (current, older, other_recent, other_unused, not_ours):
        directory.mkdir()
    long_ago = time.time() - (jit_cache.STALE_AFTER_DAYS + 1) * 86400
    os.utime(other_unused, (long_ago, long_ago))
    os.utime(not_ours, (long_ago, long_ago))

    assert sorted(jit_cache.prune(current)) == sorted([older, other_unused])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([current.name, other_recent.name, not_ours.name])


def test_importing_sim_points_numba_at_the_keyed_directory_unless_the_user_chose_one():
    if os.environ.get("NUMBA_CACHE_DIR"):
        assert numba.config.CACHE_DIR == os.environ["NUMBA_CACHE_DIR"]
        return
    expected = f"{jit_cache.install_id()}-{jit_cache.cache_key(version=sim.__version__)}"
    assert Path(numba.config.CACHE_DIR).name == expected
    assert str(kernel.simulate_group._cache._cache_path).startswith(numba.config.CACHE_DIR)


def test_a_cache_directory_set_by_the_user_is_respected(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    code = "import numba, sim; print(numba.config.CACHE_DIR)"
    output = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == str(tmp_path)


RUN = """
import sys
import sim
assert sim.__file__.startswith(sys.argv[1]), sim.__file__
monthly = sim.run("configs/baseline.toml", workers=500).monthly
print(int(monthly["to_state_usd"].sum()), int(monthly["to_managers_usd"].sum()))
"""


@pytest.mark.slow
def test_an_edit_to_a_module_the_kernel_inlines_is_compiled_not_served_stale_from_the_cache(tmp_path):
    """Two kernel compiles (about 25 s each): one in a fresh cache, one after the edit."""
    work, cache = tmp_path / "work", tmp_path / "cache"
    package = copy_package(work)
    shutil.copytree(ROOT / "configs", work / "configs")
    shutil.copytree(ROOT / "seeds", work / "seeds")
    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(cache), PYTHONPATH=str(work))

    def split():
        output = subprocess.run([sys.executable, "-c", RUN, str(work)], env=env, cwd=work, capture_output=True, text=True)
        assert output.returncode == 0, output.stderr
        to_state, to_managers = map(int, output.stdout.split())
        return to_managers / (to_state + to_managers)

    managers_share_before = split()
    recruitment = package / "recruitment.py"
    source = recruitment.read_text()
    assert source.count("skim = min(draw(") == 1, "the test's edit no longer applies to sim/recruitment.py: update it"
    recruitment.write_text(source.replace("skim = min(draw(", "skim = min(0.5 * draw("))
    managers_share_after = split()

    assert managers_share_after < 0.75 * managers_share_before  # the halved skim ran
    assert len(list((cache / "sim" / "numba").iterdir())) == 1  # the old key's directory is gone
