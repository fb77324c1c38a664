"""What a block of slots does in a month besides its month pass, slot by slot, for the slots in
question only (found in bit masks: bit i for column i): fill vacancies, find who stays against a
repatriation order, add the month's sums, send workers home, give statuses. Each is inlined into :func:`sim.kernel._simulate_block`, which runs them in
that order around :func:`sim.worker.month_pass`; what one worker does is in :mod:`sim.worker` and
:mod:`sim.outcome`.
"""
from typing import NamedTuple

import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from sim import layout as L
from sim import rng
from sim.jit import inlined
from sim.month_sums import add_by_group, add_month, add_return_by_group, undo_returns
from sim.outcome import kept_savings, record_outcome, return_reason, settle
from sim.packing import TIMELINE, VALUES, at
from sim.recruitment import (NOT_FORWARD, arriving_destination, compliance_uniform, draw_candidate, draw_status,
                             queue_diverted)
from sim.worker import (F_BRIBE, F_HOME_WAGE, F_POST_DIVERSION, F_TRAVEL, I_BORROWED, I_CANDIDATES, I_CONTRACT,
                        I_DESTINATION, I_HIRE_MONTH, I_MANAGERS, I_MANAGERS_REVENUE, I_OCCUPIED, I_POST, I_SLOT_KEY,
                        I_STATE, I_STATE_REVENUE, I_STATUS, apply_levers, change_status, collect_arrears,
                        defies_order, sent_home_by_policy, start_worker)


class GroupSums(NamedTuple):
    """One group's rows of the :class:`Accumulators` (one thread's), and the records.

    monthly : ndarray(int64, (horizon_months, len(MONTHLY_SERIES)))
    by_destination : ndarray(int64, (horizon_months, destinations, len(MONTHLY_BY_DESTINATION)))
    by_status : ndarray(int64, (horizon_months, 1 + statuses, len(MONTHLY_BY_STATUS)))
    by_reason : ndarray(int64, (cells * len(HIRE_COHORTS) * len(RETURN_REASONS), len(CELL_TOTALS)))
    histogram : ndarray(int64, (cells, len(OUTCOME_METRICS), bins.BINS, 2))
    slot_workers : ndarray(int64, (slots,)), shared by the groups, each writing its own slots'
    records : sim.kernel.WorkerRecords
    """

    monthly: np.ndarray
    by_destination: np.ndarray
    by_status: np.ndarray
    by_reason: np.ndarray
    histogram: np.ndarray
    slot_workers: np.ndarray
    records: tuple


class BlockTerms(NamedTuple):
    """What a block reads of the shared parameters, once (:func:`block_terms`)."""

    horizon: int
    stock_mode: bool
    shock_sd: float
    reservation_usd: float
    queue: int
    interest_per_month: float
    deduct_arrears: bool
    new_hires_only: bool
    n_status: int
    by_destination: bool
    """several destinations: the month's sums are also split by destination"""


@inlined
def block_terms(values, n_dest, n_skill, horizon):
    return BlockTerms(horizon, values[at(VALUES.stock_mode, n_dest, n_skill, 0)] != 0.0,
                      values[at(VALUES.wage_shock_sd, n_dest, n_skill, 0)],
                      values[at(VALUES.reservation_gain_usd, n_dest, n_skill, 0)],
                      int(values[at(VALUES.candidates_per_post, n_dest, n_skill, 0)]),
                      values[at(VALUES.interest_rate_per_month, n_dest, n_skill, 0)],
                      values[at(VALUES.arrears_deducted, n_dest, n_skill, 0)] != 0.0,
                      values[at(VALUES.quota_policy_for_new_hires, n_dest, n_skill, 0)] != 0.0,
                      int(values[at(VALUES.status_count, n_dest, n_skill, 0)]), n_dest > 1)


@inlined
def fill_vacancies(dists, values, n_dest, n_skill, tlm, t, terms, real, whole, vacancies, sums):
    """Month ``t``'s queues at the ``vacancies`` (bit i for column i): each vacant slot's
    candidates, in turn, until one comes forward (:func:`sim.recruitment.arriving_destination`,
    diverted or not) and goes (expected gain at least the reservation gain). Counts candidates
    diverted and declined, and hires, by destination too. Returns the columns hired."""
    hired = np.uint64(0)
    pending = vacancies
    while pending:
        i = np.int64(trailing_zeros(pending))
        pending &= pending - np.uint64(1)
        post = whole[I_POST, i]
        diverted = queue_diverted(tlm, t, n_dest, n_skill, post, real[F_POST_DIVERSION, i])
        for _ in range(terms.queue):
            whole[I_CANDIDATES, i] += 1
            key = rng.stream_of(np.uint64(whole[I_SLOT_KEY, i]), whole[I_CANDIDATES, i])
            d = arriving_destination(tlm, t, n_dest, n_skill, key, post, diverted)
            if d == NOT_FORWARD:
                continue
            if d != post:
                sums.monthly[t, L.M.candidates_diverted] += 1
                if terms.by_destination:
                    sums.by_destination[t, post, L.MD.candidates_diverted] += 1
            c = draw_candidate(dists, values, n_dest, n_skill, key, d, tlm, t)
            if c.expected_gain_usd < terms.reservation_usd:
                sums.monthly[t, L.M.candidates_declined] += 1
                if terms.by_destination:
                    sums.by_destination[t, post, L.MD.candidates_declined] += 1
                continue
            sums.monthly[t, L.M.hires] += 1
            if terms.by_destination:
                sums.by_destination[t, d, L.MD.hires] += 1
            hire_multiplier, hire_surcharge = quota_terms(tlm, t, n_dest, n_skill, d, terms.new_hires_only)
            start_worker(real, whole, i, c, values[at(VALUES.idle_probability_per_month, n_dest, n_skill, c.regime)],
                         t, True, tlm[t, at(TIMELINE.bribe_multiplier, n_dest, n_skill, d)], hire_multiplier,
                         hire_surcharge, compliance_uniform(key))
            apply_levers(tlm, t, n_dest, n_skill, not terms.new_hires_only, real, whole, i)
            hired |= np.uint64(1) << np.uint64(i)
            break
    return hired


@inlined
def defiers(tlm, month, n_dest, n_skill, real, whole, returned):
    """Of the workers going home (``returned``, bit i for column i), those the repatriation
    hazard reached who do not comply (:func:`sim.worker.defies_order`): they stay, on a status."""
    stay = np.uint64(0)
    pending = returned
    while pending:
        i = np.int64(trailing_zeros(pending))
        pending &= pending - np.uint64(1)
        if defies_order(real, whole, i, month, tlm[month, at(TIMELINE.compliance_share, n_dest, n_skill,
                                                                 whole[I_DESTINATION, i])]):
            stay |= np.uint64(1) << np.uint64(i)
    return stay


@inlined
def add_month_sums(t, terms, whole, month_sums, stay, n_dest, sums):
    """Month ``t``'s :class:`sim.worker.MonthSums` into the monthly sums, less the returns of those
    who ``stay``, and by destination and status where the scenario has several."""
    add_month(sums.monthly, t, month_sums)
    if stay:
        undo_returns(sums.monthly, t, whole, stay)
    if terms.by_destination:
        add_by_group(sums.by_destination, L.MD, t, whole, I_DESTINATION, n_dest, month_sums)
    if terms.n_status > 0:
        add_by_group(sums.by_status, L.MS, t, whole, I_STATUS, 1 + terms.n_status, month_sums)


@inlined
def send_home(n_skill, t, slot0, block_start, terms, real, whole, going, sums):
    """Each worker ``going`` home after month ``t`` (bit i for column i): his arrears (collected
    or forgiven), then the hire's settlement (his travel cost home the one drawn at his
    recruitment, F_TRAVEL) and outcome (:func:`sim.outcome.record_outcome`)."""
    while going:
        i = np.int64(trailing_zeros(going))
        going &= going - np.uint64(1)
        whole[I_OCCUPIED, i] = 0
        arrears_to_state, arrears_to_managers = collect_arrears(real, whole, i, terms.deduct_arrears)
        if t < terms.horizon:
            sums.monthly[t, L.M.to_state_usd] += arrears_to_state
            sums.monthly[t, L.M.to_managers_usd] += arrears_to_managers
            sums.monthly[t, L.M.arrears_collected_usd] += arrears_to_state + arrears_to_managers
            if terms.by_destination:
                add_return_by_group(sums.by_destination, L.MD, t, whole[I_DESTINATION, i], arrears_to_state,
                                    arrears_to_managers)
            if terms.n_status > 0:
                add_return_by_group(sums.by_status, L.MS, t, whole[I_STATUS, i], arrears_to_state,
                                    arrears_to_managers)
            whole[I_STATE_REVENUE, i] += whole[I_STATE, i]
            whole[I_MANAGERS_REVENUE, i] += whole[I_MANAGERS, i]
        months = t + 1 - whole[I_HIRE_MONTH, i]
        kept = kept_savings(whole, i, months)
        settlement = settle(real[F_BRIBE, i], whole[I_BORROWED, i] != 0, months, whole[I_CONTRACT, i],
                            terms.interest_per_month, real[F_HOME_WAGE, i], kept, real[F_TRAVEL, i])
        sent_home = months < whole[I_CONTRACT, i] and sent_home_by_policy(real, whole, i, t)
        reason = return_reason(t, terms.horizon, months, whole[I_CONTRACT, i], sent_home)
        record_outcome(real, whole, i, slot0 + i, months, kept, arrears_to_state + arrears_to_managers, settlement,
                       reason, n_skill, sums.by_reason, sums.histogram, sums.records)
        sums.slot_workers[block_start + i] += 1


@inlined
def take_statuses(values, n_dest, n_skill, tlm, month, terms, real, whole, stay):
    """Each worker who stays against the order (``stay``, bit i for column i) takes a status, drawn
    by U_STATUS of his candidate stream (:func:`sim.recruitment.draw_status`), from the next month."""
    while stay:
        i = np.int64(trailing_zeros(stay))
        stay &= stay - np.uint64(1)
        status = draw_status(values, n_dest, n_skill, rng.stream_of(np.uint64(whole[I_SLOT_KEY, i]),
                                                                     whole[I_CANDIDATES, i]))
        change_status(real, whole, i, status,
                      values[at(VALUES.status_earnings_multiplier, n_dest, n_skill, status - 1)],
                      values[at(VALUES.status_contribution_multiplier, n_dest, n_skill, status - 1)],
                      values[at(VALUES.status_detection_hazard_per_month, n_dest, n_skill, status - 1)])
        apply_levers(tlm, month, n_dest, n_skill, not terms.new_hires_only, real, whole, i)


@inlined
def quota_terms(tlm, t, n_dest, n_skill, destination, new_hires_only):
    """(multiplier, surcharge in USD a month) of the planned contribution that a worker hired for
    ``destination`` in month ``t`` keeps for his whole stay: month ``t``'s when the quota policy
    reaches new hires only, else (1, 0), and each month's apply (:func:`sim.worker.month_pass`)."""
    if new_hires_only:
        return (tlm[t, at(TIMELINE.quota_multiplier, n_dest, n_skill, destination)],
                tlm[t, at(TIMELINE.quota_surcharge_usd_per_month, n_dest, n_skill, destination)])
    return 1.0, 0.0

