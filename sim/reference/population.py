"""The workforce (MODEL.md section 4) and the run's totals, in plain Python, slot by slot.

A *slot* is one post. In cohort mode it gets one candidate at month 0, who goes or leaves it
empty. In stock mode month 0 is the steady state of the running process: the slot is held by a
worker already abroad, drawn length-biased with the months he has served (simulated, so that he
carries their arrears), or it is vacant; from month 1 on, each month it is vacant its next
candidate comes forward, or not, and goes, or not. A worker still abroad at the horizon works on
(with the timeline's last month) until he returns, so every hire has a full outcome; only months
within the horizon count in the monthly series.
"""
import itertools
import math
import time
from collections import Counter, defaultdict

import numpy as np

from sim import bins, layout, schema
from sim.engine import RawRun
from sim.reference.model import (collect_arrears, comes_forward, decides_to_go, hire, policy_in_month,
                                 post_destination, queue_diverted, quota_terms_at_hiring, recruit, return_hazard,
                                 settle, work_month)
from sim.reference.random import ACCEPT, AGE, MONTHLY_STREAM, int_power, stream_key, uniform_at

MAX_CANDIDATES_AT_MONTH_0 = 100_000
"""Candidates a stock-mode slot tries for month 0 before it is left vacant (never reached in practice)."""


def expected_months_abroad(contract, hazard):
    """Expected months served under a monthly return hazard ``h``, checked after each month:
    ``sum_{a < L} (1 - h)^a = (1 - (1 - h)^L) / h`` (``L`` when ``h = 0``)."""
    if hazard <= 0.0:
        return float(contract)
    return (1.0 - int_power(1.0 - hazard, contract)) / hazard


def months_served_before_month_0(contract, hazard, u):
    """Months ``a`` already served by a worker met at a random month: ``P(a) ~ (1 - h)^a``,
    ``a < L``, drawn by inverting its CDF at ``u``: ``a = floor(log(1 - u (1 - (1 - h)^L)) /
    log(1 - h))``; uniform on ``0..L-1`` when ``h = 0``."""
    if hazard <= 0.0:
        served = int(u * contract)
    elif hazard >= 1.0:
        served = 0
    else:
        served = math.floor(math.log(1.0 - u * (1.0 - int_power(1.0 - hazard, contract))) / math.log(1.0 - hazard))
    return min(max(served, 0), contract - 1)


def queue(scenario, policies, seed, slot, candidates, post):
    """A vacant post's queue for a month under ``policies`` (destination -> Policy): up to K =
    ``candidates_per_post`` candidates, streams ``candidates + 1`` on, each in turn coming forward
    (or not, :func:`comes_forward`: at the post's destination, or, the queue diverted
    (:func:`queue_diverted`), at its target) and going (or not);
    the first who goes takes the post. Returns (candidates drawn so far, the last one's stream
    key, the one who goes or None, how many came forward and would not go, how many of those who
    came forward were diverted)."""
    declined = diverted = 0
    elsewhere = queue_diverted(seed, slot, post, policies)
    for _ in range(scenario.participation.candidates_per_post):
        candidates += 1
        key = stream_key(seed, slot, candidates)
        destination = comes_forward(key, post, policies, elsewhere)
        worker = recruit(scenario, key, destination or post, policies[destination or post])
        if destination is None:
            continue
        diverted += destination != post
        if decides_to_go(worker, scenario):
            return candidates, key, worker, declined, diverted
        declined += 1
    return candidates, key, None, declined, diverted


def worker_at_month_0(scenario, policies, seed, slot, monthly_key, post):
    """Who holds a stock-mode slot, a post at ``post``, at month 0, under the month-0 ``policies``
    (destination -> Policy): (candidates drawn, the worker with his months before 0 simulated,
    or None for a vacant slot).

    A slot's history is a run of spells, one per monthly :func:`queue`: a queue none of whom goes
    leaves it vacant for a month, the one who goes holds it for his months abroad. Month 0 falls
    in a spell with probability proportional to its length, so queues are drawn until one is
    accepted, by its last candidate's uniform, with probability (expected length of its spell) /
    (longest contract); a hire accepted so has served the months of
    :func:`months_served_before_month_0`.
    """
    longest = max(int(d.contract_months.support()[1]) for d in scenario.destinations.values())
    candidate = 0
    while candidate < MAX_CANDIDATES_AT_MONTH_0:
        candidate, key, worker, _, _ = queue(scenario, policies, seed, slot, candidate, post)
        hazard = None if worker is None else return_hazard(worker, policies[worker.destination])
        spell = 1.0 if worker is None else expected_months_abroad(worker.contract_months, hazard)
        if uniform_at(key, ACCEPT) * longest < spell:
            break
    else:
        return candidate, None
    if worker is None:
        return candidate, None
    policy = policies[worker.destination]
    served = months_served_before_month_0(worker.contract_months, hazard, uniform_at(key, AGE))
    worker.hire_month, worker.hired_in_run = -served, False
    worker.quota_terms = quota_terms_at_hiring(policy, scenario)
    for t in range(-served, 0):
        work_month(worker, t, policy, scenario, monthly_key, may_return=False)
    return candidate, worker


class Totals:
    """What a run adds up: monthly series, per-cell totals and outcome histograms, by column name."""

    def __init__(self):
        self.monthly = defaultdict(Counter)  # month -> column of layout.MONTHLY_SERIES -> total
        self.by_destination = defaultdict(Counter)  # (month, destination) -> column -> total
        self.cells = defaultdict(Counter)  # (destination, skill, regime) -> column of CELL_TOTALS -> total
        self.by_reason = defaultdict(Counter)  # (cell, hire cohort, return reason) -> column -> total
        self.histogram = Counter()  # (cell, metric of OUTCOME_METRICS, bin, COUNT or SUM) -> total
        self.squares = []  # per chunk of slots: sums of squared payments within the horizon, USD^2

    def add_month(self, t, destination, **columns):
        """Add ``columns`` to month ``t``, and those of MONTHLY_BY_DESTINATION to ``destination``'s."""
        self.monthly[t].update(columns)
        self.by_destination[t, destination].update(
            {name: value for name, value in columns.items() if name in layout.MONTHLY_BY_DESTINATION})

    def add_outcome(self, worker, outcome, reason):
        """A returned worker's outcome: by cohort and ``reason`` (of RETURN_REASONS), and a hire of
        the run also in his cell's totals and histograms."""
        cell = (worker.destination, worker.skill, worker.regime)
        columns = {name: getattr(outcome, name) for name in layout.CELL_TOTALS}
        cohort = "hired_in_run" if worker.hired_in_run else "met_at_month_0"
        self.by_reason[cell, cohort, reason].update(columns)
        if not worker.hired_in_run:
            return
        self.cells[cell].update({name: getattr(outcome, name) for name in layout.CELL_TOTALS})
        for metric in layout.OUTCOME_METRICS:
            value = getattr(outcome, metric)
            self.histogram[cell, metric, bins.bin_index(value), bins.COUNT] += 1
            self.histogram[cell, metric, bins.bin_index(value), bins.SUM] += value

    def add_slot(self, slot, to_state_cents, to_managers_cents):
        """A slot's payments within the horizon; their squares are summed per chunk of slots."""
        if slot % layout.CHUNK_WORKERS == 0:
            self.squares.append([0.0, 0.0])
        for column, paid in enumerate((to_state_cents, to_managers_cents)):
            self.squares[-1][column] += (paid / 100.0) * (paid / 100.0)

    def raw_run(self, scenario, seed, n_slots, started):
        """As :class:`sim.engine.RawRun`: cells in the order destination, skill, regime."""
        cells = list(itertools.product(scenario.destinations, scenario.skills, layout.REGIMES))
        monthly = [[self.monthly[t][name] for name in layout.MONTHLY_SERIES]
                   for t in range(scenario.simulation.horizon_months)]
        totals = [[self.cells[cell][name] for name in layout.CELL_TOTALS] for cell in cells]
        by_reason = [[[[self.by_reason[cell, cohort, reason][name] for name in layout.CELL_TOTALS]
                       for reason in schema.RETURN_REASONS] for cohort in schema.HIRE_COHORTS] for cell in cells]
        by_destination = [[[self.by_destination[t, destination][name] for name in layout.MONTHLY_BY_DESTINATION]
                           for destination in scenario.destinations]
                          for t in range(scenario.simulation.horizon_months)]
        histogram = np.zeros((len(cells), len(layout.OUTCOME_METRICS), bins.BINS, 2), np.int64)
        for (cell, metric, b, entry), value in self.histogram.items():
            histogram[cells.index(cell), layout.OUTCOME_METRICS.index(metric), b, entry] = value
        return RawRun(monthly=np.array(monthly, np.int64), cell_totals=np.array(totals, np.int64),
                      histogram=histogram, state_revenue_sumsq_usd2=math.fsum(s for s, _ in self.squares),
                      managers_revenue_sumsq_usd2=math.fsum(m for _, m in self.squares), n_slots=n_slots,
                      seed=seed, threads=1, wall_seconds=time.perf_counter() - started, workers=None,
                      monthly_by_destination=np.array(by_destination, np.int64),
                      cell_totals_by_reason=np.array(by_reason, np.int64))


def simulate_slot(scenario, policies, seed, slot, totals):
    """One slot from month 0 until its last worker is home; adds into ``totals``. ``policies``:
    per month, destination -> Policy."""
    horizon = len(policies)
    stock_mode = scenario.simulation.mode == "stock"
    monthly_key = stream_key(seed, slot, MONTHLY_STREAM)
    post = post_destination(scenario, seed, slot)
    candidates, worker = (worker_at_month_0(scenario, policies[0], seed, slot, monthly_key, post) if stock_mode
                          else (0, None))
    within_horizon = [0, 0]  # his payments in months 0 .. horizon - 1: to the state, to managers
    for t in itertools.count():
        month_policies = policies[min(t, horizon - 1)]
        if worker is None and t >= horizon:
            break
        if worker is None and (t > 0 if stock_mode else t == 0):  # the vacant post's queue this month
            candidates, _, candidate, declined, diverted = queue(scenario, month_policies, seed, slot, candidates,
                                                                 post)
            totals.add_month(t, post, candidates_declined=declined, candidates_diverted=diverted)
            if candidate is not None:
                worker = hire(candidate, t, month_policies[candidate.destination], scenario)
                totals.add_month(t, worker.destination, hires=1)
        if worker is None:
            continue
        policy = month_policies[worker.destination]
        served_before = t - worker.hire_month
        month = work_month(worker, t, policy, scenario, monthly_key)
        if t < horizon:
            totals.add_month(t, worker.destination, workers_active=1, returns=month.goes_home,
                             early_returns=month.early, gross_earnings_usd=month.earnings, to_state_usd=month.to_state,
                             to_managers_usd=month.to_managers, expenses_usd=month.expenses, kept_usd=month.kept,
                             arrears_outstanding_usd=0 if month.goes_home else worker.arrears_cents,
                             contract_months_sum=worker.contract_months, months_served_sum=served_before)
            within_horizon[0] += month.to_state
            within_horizon[1] += month.to_managers
        if month.goes_home:
            to_state, to_managers = collect_arrears(worker, scenario)
            if t < horizon:
                totals.add_month(t, worker.destination, to_state_usd=to_state, to_managers_usd=to_managers,
                                 kept_usd=-to_state - to_managers, arrears_collected_usd=to_state + to_managers)
                within_horizon[0] += to_state
                within_horizon[1] += to_managers
            outcome = settle(worker, t, scenario)
            reason = ("abroad_at_horizon" if t >= horizon else "sent_home_by_policy" if month.sent_home
                      else "completed" if outcome.completed else "early")
            totals.add_outcome(worker, outcome, reason)
            worker = None
    totals.add_slot(slot, *within_horizon)


def simulate(scenario, seed=None, workers=None):
    """Simulate ``workers`` slots (0, 1, ...) of ``scenario``, as :func:`sim.engine.simulate` does.

    Returns a :class:`sim.engine.RawRun` whose monthly series, cell totals, outcome histograms and
    sums of squares equal the kernel's exactly (same seed, same slots). Slow: for small runs.
    """
    started = time.perf_counter()
    seed = scenario.simulation.seed if seed is None else seed
    workers = scenario.simulation.workers if workers is None else workers
    policies = [{name: policy_in_month(scenario, t, name) for name in scenario.destinations}
                for t in range(scenario.simulation.horizon_months)]
    totals = Totals()
    for slot in range(workers):
        simulate_slot(scenario, policies, seed, slot, totals)
    return totals.raw_run(scenario, seed, workers, started)
