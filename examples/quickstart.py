# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Quick start: run the baseline and compare a policy
#
# This notebook runs the baseline scenario (North Korean workers in Russia today) from Python,
# looks at what a run gives you, and then asks a policy question: **what if the state raised the
# planned contribution by 30% from the third year on?**
#
# It is kept as a plain Python file (a [jupytext](https://jupytext.readthedocs.io) "percent"
# script). Open it as a notebook with `jupytext --to notebook examples/quickstart.py` (or open
# the `.py` file directly in JupyterLab with jupytext installed, or in VS Code), or run it as
# a script with `python examples/quickstart.py`, which saves the figure instead of showing it.
#
# The very first run after installing (or editing) the package compiles the simulation kernel,
# which takes about half a minute to a minute; after that each run below takes well under a
# second.

# %%
# %matplotlib inline
import logging
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import sim

try:
    from IPython.display import display  # a table in a notebook; printed text in a script
except ImportError:  # plain Python without IPython
    display = print

IN_NOTEBOOK = "ipykernel" in sys.modules
logging.basicConfig(format="%(message)s")
logging.getLogger("sim").setLevel(logging.INFO)  # say so when the kernel is being compiled


def find_repo_root(marker="configs/baseline.toml"):
    """The repository folder holding ``marker``, looked for above this file (when run as a
    script), above the working directory, and above the installed ``sim`` package."""
    starts = [Path.cwd(), Path(sim.__file__).resolve().parent]
    if "__file__" in globals():  # run as a script; a notebook has no __file__
        starts.insert(0, Path(__file__).resolve().parent)
    for start in starts:
        for folder in (start, *start.parents):
            if (folder / marker).is_file():
                return folder
    raise FileNotFoundError(f"no {marker} above {', '.join(map(str, starts))}: "
                            "run this from a checkout of the repository")


ROOT = find_repo_root()
BASELINE = ROOT / "configs" / "baseline.toml"
print(f"sim {sim.__version__}, scenario file {BASELINE}")

# %% [markdown]
# ## 1. Load the baseline scenario
#
# A scenario is a TOML file; `configs/baseline.toml` explains every value beside it (figures
# from the source article, and the assumptions made where it is silent). `sim.load_config`
# reads and checks it: a wrong key or an impossible value is reported here, before anything
# runs. We keep the file's ten-year horizon.

# %%
scenario = sim.load_config(BASELINE)
print(f"mode: {scenario.simulation.mode}, horizon: {scenario.simulation.horizon_months} months, "
      f"posts filled in Russia: {scenario.simulation.stock_target:,}")

# %% [markdown]
# ## 2. Run it
#
# `sim.run` simulates the workers month by month. We simulate 50,000 workers (each stands for a
# share of the 30,000 real posts), enough for stable figures in a fraction of a second. The
# `seed` fixes the random numbers, so running this again gives exactly the same numbers.
#
# The result shows as a small table of the headline figures; the figure in brackets after state
# revenue is a 95% interval for the *simulation's* sampling noise (it shrinks with more
# workers), not the uncertainty about the inputs.

# %% tags=["run"]
WORKERS = 50_000
SEED = 1
result = sim.run(scenario, seed=SEED, workers=WORKERS)
display(result)

# %% [markdown]
# ## 3. The headline figures as a table
#
# `result.summary` holds every headline figure as numbers (one row per figure and statistic),
# ready to filter or export. Money is in US dollars; `p5`, `p50` (the median) and `p95` are
# percentiles across workers. How the run was made (seed, workers, horizon) is kept apart in
# `result.metadata`.

# %%
display(result.metadata)
display(result.summary)

# %% [markdown]
# ## 4. Month by month
#
# `result.monthly` has one row per month, scaled up to the real number of workers: how many
# are abroad, how many were hired or came home, what they earned, and where the money went (to
# the state, skimmed by managers, spent on living costs, kept by the worker).

# %%
columns = ["month", "workers_active", "hires", "returns", "gross_earnings_usd", "to_state_usd",
           "to_managers_usd", "kept_usd"]
display(result.monthly[columns].head(12).round(0))

# %% [markdown]
# ## 5. What households take home
#
# `result.outcomes` follows each worker hired during the run until he comes home: the cash he
# brings home, his gain over having stayed home, and so on, for everyone and by group
# (destination, skill, and whether he lived in a camp or moved freely). Here: cash brought
# home, by living regime.

# %%
cash_by_regime = result.outcomes.query("group == 'regime' and outcome == 'cash_home_usd'")
display(cash_by_regime[["level", "workers_real", "mean", "p5", "p50", "p95"]].round(0))

# %% [markdown]
# ## 6. Compare a policy: a 30% higher contribution from month 24
#
# A policy is the same scenario with one value changed. The `[timeline]` table holds values
# that change over time: `quota_multiplier = [[0, 1.0], [24, 1.3]]` leaves the planned
# contribution as it is for the first two years and raises it by 30% from month 24 on. The
# override uses the same syntax as `sim run --set` on the command line.
#
# We run it with **the same seed**. The simulation then draws exactly the same random numbers
# for every worker in both runs ("common random numbers"), so any difference between the two
# runs is the policy's effect, not chance.

# %%
POLICY_MONTH = 24
policy_scenario = sim.load_config(
    BASELINE, overrides=[f"timeline.quota_multiplier=[[0, 1.0], [{POLICY_MONTH}, 1.3]]"])
policy = sim.run(policy_scenario, seed=SEED, workers=WORKERS)
display(policy)

# %% [markdown]
# ## 7. The difference in state revenue, month by month
#
# Before month 24 the two runs are the same world, so the difference must be exactly zero,
# to the cent; the check below stops the notebook if it is not. From month 24 on, the
# difference is the policy's effect on what the state collects each month.

# %% tags=["compare"]
baseline_revenue = result.monthly.set_index("month")["to_state_usd"]
policy_revenue = policy.monthly.set_index("month")["to_state_usd"]
difference = policy_revenue - baseline_revenue

before = difference.loc[:POLICY_MONTH - 1]
assert (before == 0).all(), "the runs differ before the policy: not the same random numbers"
print(f"largest difference before month {POLICY_MONTH}: {before.abs().max():,.2f} USD")

after = difference.loc[POLICY_MONTH:]
years = len(after) / 12
print(f"state revenue, first month of the policy: {after.iloc[0] / 1e6:+,.2f} USD m")
print(f"state revenue, months {POLICY_MONTH} to {after.index[-1]}: "
      f"{after.sum() / 1e6:+,.1f} USD m in all, {after.sum() / years / 1e6:+,.1f} USD m per year")
abroad = (policy.monthly["workers_active"] - result.monthly["workers_active"]).iloc[-12:].mean()
print(f"workers abroad in the last year: {abroad:+,.0f}")
for name, run in (("baseline", result), ("policy", policy)):  # the queue thins before posts empty
    first_year = run.monthly.iloc[POLICY_MONTH:POLICY_MONTH + 12]
    declined = first_year["candidates_declined"].sum()
    print(f"{name}: {declined / (declined + first_year['hires'].sum()):.0%} of the candidates who came "
          f"forward in the policy's first year declined")

# %% [markdown]
# ## 8. The change in what households bring home
#
# The median cash brought home covers every worker hired during the run, including those
# hired before month 24 who paid the higher contribution for only part of their stay.

# %% tags=["cash-home"]
median_before = result.summary_dict["cash_home_usd"]["p50"]
median_after = policy.summary_dict["cash_home_usd"]["p50"]
worse_before = result.summary_dict["share_worse_off_than_home"]
worse_after = policy.summary_dict["share_worse_off_than_home"]
print(f"median cash brought home: {median_before:,.0f} -> {median_after:,.0f} USD "
      f"({median_after - median_before:+,.0f} USD)")
print(f"worse off than staying home: {worse_before:.1%} -> {worse_after:.1%}")

# %% [markdown]
# ## 9. A picture
#
# Top: the state's revenue each month under the baseline and the policy (the two lines lie on
# top of each other until month 24). Bottom: the difference. A higher contribution brings in
# more at first; whether that lasts depends on how many workers still judge the job worth
# taking (each vacant post has a queue of `participation.candidates_per_post` candidates, so a
# hike first thins the queue) and how many fall behind on their payments, which the monthly
# table above lets you follow (`hires`, `candidates_declined`, `workers_active`,
# `arrears_outstanding_usd`).

# %% tags=["figure"]
fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 6), height_ratios=[2, 1])
top.plot(baseline_revenue.index, baseline_revenue / 1e6, label="baseline")
top.plot(policy_revenue.index, policy_revenue / 1e6, label="contribution +30% from month 24")
top.set_ylabel("state revenue, USD m per month")
top.legend()
bottom.bar(difference.index, difference / 1e6, width=1.0, color="tab:gray")
bottom.axhline(0, color="black", linewidth=0.8)
bottom.axvline(POLICY_MONTH - 0.5, color="tab:red", linestyle="--", linewidth=0.8)
bottom.set_ylabel("difference, USD m")
bottom.set_xlabel("month")
fig.suptitle(f"Baseline vs policy (seed {SEED}, {WORKERS:,} simulated workers)")
fig.tight_layout()
if IN_NOTEBOOK:
    plt.show()
else:
    figure_path = Path(tempfile.mkdtemp(prefix="sim-quickstart-")) / "state_revenue_policy.png"
    fig.savefig(figure_path, dpi=100)
    plt.close(fig)
    print(f"figure saved to {figure_path}")

# %% [markdown]
# ## Where next
#
# - `result.save("results")` writes a run to a new folder, as `sim run` does (tables, charts
#   and the calibration against the source article).
# - The same comparison with intervals: `sim.compare("configs/policies/quota_hike.toml")` runs the
#   policy and its base over ten paired replications (each with its own seed, the same for both)
#   and gives every effect with a 95% interval; on the command line, `sim compare
#   configs/policies/quota_hike.toml` also writes its tables, figures and a report.
# - `configs/baseline.toml` lists every value you can change; `configs/destinations.toml`
#   compares Russia, China and the Middle East.
