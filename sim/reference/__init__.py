"""A plain reference: the model of MODEL.md (sections 3 and 4) stated in pure Python.

``sim.reference.simulate(scenario, seed, workers)`` follows each slot's workers one month at a
time, reading the validated :class:`sim.config.Scenario` by its own names, and returns a
:class:`sim.engine.RawRun` equal, field by field, to ``sim.engine.simulate(scenario, seed,
workers)``: monthly series, cell totals, outcome histograms and sums of squares. Agreement
therefore checks the kernel against the model, not against a copy of itself.

What it shares with the kernel is the random-number specification only, restated in
:mod:`sim.reference.random`: stream keys and counters (:mod:`sim.rng`) and how each
distribution family turns a uniform into a value (:mod:`sim.sampling`). Nothing of the kernel's
packing, parameter arrays or arithmetic is used; the output is named by the public column names
of :mod:`sim.layout` and binned by :func:`sim.bins.bin_index`.

To agree to the last cent it mirrors a few conventions of the kernel, each a documented part of
the model rather than an implementation detail:

- money is rounded to whole cents once per worker-month (earnings, expenses, the contribution
  asked, the managers' cut of a payment), half a cent up, and from there on added exactly;
- the draws sit at fixed counters: a worker-month at counters ``2t`` and ``2t + 1`` of the slot's
  monthly stream, a candidate's attributes at fixed counters of his own stream (the travel cost
  at return included), so a draw never depends on what happened before it;
- month 0 of stock mode is the steady state with vacancies: candidates are accepted
  length-biased (a vacancy counts one month, a hire his expected months abroad), under the
  month-0 timeline;
- the months before 0 that a month-0 worker had served are simulated (month-0 timeline, nobody
  goes home) so that he carries their arrears and totals; they do not count in the series;
- arrears are collected at return, in the month he leaves, split like any payment;
- ``float ** int`` (loan interest, survival over a contract) is binary exponentiation, as
  numba compiles it (:func:`sim.reference.random.int_power`).
"""
from sim.reference.population import simulate

__all__ = ["simulate"]
