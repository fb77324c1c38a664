"""Shapes and column orders shared by the kernel and the code that reads its output.

The kernel fills integer arrays; these tuples name their columns. Money is
held in whole US cents (int64) so that sums are exact and independent of the
order in which threads add them.
"""
CHUNK_WORKERS = 16_384
"""Slots per chunk: a constant, never derived from the thread count."""

MONTHLY_SERIES = (
    "workers_active",
    "hires",
    "returns",
    "early_returns",
    "gross_earnings_usd",
    "to_state_usd",
    "to_managers_usd",
    "expenses_usd",
    "kept_usd",
    "arrears_outstanding_usd",
    "arrears_collected_usd",
    "contract_months_sum",
    "months_served_sum",
)
"""Columns of the monthly accumulator; those ending in ``_usd`` are held in cents.

``to_state_usd`` and ``to_managers_usd`` include the arrears collected from workers going home
that month (``arrears_collected_usd``, under ``arrears_at_return = "deducted"``), so ``kept_usd``
is what the workers' savings grew by: gross - to state - to managers - expenses, exactly.
``contract_months_sum`` and ``months_served_sum`` add, over the workers abroad in the month, their
contract length and the months they had served before it: the mix of the workforce."""
(
    M_ACTIVE,
    M_HIRES,
    M_RETURNS,
    M_EARLY_RETURNS,
    M_GROSS,
    M_STATE,
    M_MANAGERS,
    M_EXPENSES,
    M_KEPT,
    M_ARREARS,
    M_ARREARS_COLLECTED,
    M_CONTRACT_SUM,
    M_MONTHS_SERVED_SUM,
) = range(len(MONTHLY_SERIES))

CELL_TOTALS = (
    "workers",
    "completed",
    "worse_off",
    "months_served",
    "contract_months",
    "bribe_usd",
    "quota_usd_per_month",
    "home_wage_usd_per_month",
    "gross_earnings_usd",
    "to_state_usd",
    "to_managers_usd",
    "expenses_usd",
    "kept_usd",
    "arrears_at_return_usd",
    "cash_home_usd",
    "net_gain_usd",
    "kept_usd_per_month",
    "cash_home_completed_usd",
    "stay_home_earnings_usd",
    "quota_due_usd",
    "arrears_collected_usd",
)
"""Sums over returned workers hired within the run, per (destination, skill, regime) cell.
Columns ending in ``_usd`` or ``_usd_per_month`` are cents. ``quota_usd_per_month`` is the
planned contribution a worker was asked for, averaged over his months (policy multipliers
included); ``to_state_usd``, ``to_managers_usd`` include arrears collected at return, and
``kept_usd`` is what he kept after them. ``quota_due_usd`` is every planned contribution asked
over the stay; it equals to state + to managers + the arrears forgiven at return
(``arrears_at_return_usd - arrears_collected_usd``), exactly."""
(
    C_WORKERS,
    C_COMPLETED,
    C_WORSE_OFF,
    C_MONTHS,
    C_CONTRACT,
    C_BRIBE,
    C_QUOTA,
    C_HOME_WAGE,
    C_GROSS,
    C_STATE,
    C_MANAGERS,
    C_EXPENSES,
    C_KEPT,
    C_ARREARS,
    C_CASH,
    C_NET,
    C_KEPT_PER_MONTH,
    C_CASH_COMPLETED,
    C_STAY_HOME,
    C_DUE,
    C_ARREARS_COLLECTED,
) = range(len(CELL_TOTALS))

OUTCOME_METRICS = ("cash_home_usd", "net_gain_usd", "kept_usd_per_month", "months_served")
"""Household outcomes kept as histograms (see :mod:`sim.bins`) per cell: cents, or months."""
H_CASH, H_NET, H_KEPT_PER_MONTH, H_MONTHS = range(len(OUTCOME_METRICS))

WORKER_CODES = (
    "slot",
    "candidate",
    "hire_month",
    "destination",
    "skill",
    "regime",
    "contract_months",
    "months_served",
    "early_return",
    "borrowed",
    "worse_off",
)
(
    W_SLOT,
    W_CANDIDATE,
    W_HIRE_MONTH,
    W_DESTINATION,
    W_SKILL,
    W_REGIME,
    W_CONTRACT,
    W_MONTHS,
    W_EARLY,
    W_BORROWED,
    W_WORSE_OFF,
) = range(len(WORKER_CODES))

WORKER_CENTS = (
    "bribe_usd",
    "gross_earnings_usd",
    "to_state_usd",
    "to_managers_usd",
    "expenses_usd",
    "kept_usd",
    "arrears_at_return_usd",
    "arrears_collected_usd",
    "loan_repayment_usd",
    "quota_due_usd",
    "travel_cost_usd",
    "cash_home_usd",
    "stay_home_earnings_usd",
    "net_gain_usd",
)
(
    WC_BRIBE,
    WC_GROSS,
    WC_STATE,
    WC_MANAGERS,
    WC_EXPENSES,
    WC_KEPT,
    WC_ARREARS,
    WC_ARREARS_COLLECTED,
    WC_LOAN,
    WC_QUOTA_DUE,
    WC_TRAVEL,
    WC_CASH,
    WC_STAY_HOME,
    WC_NET,
) = range(len(WORKER_CENTS))

WORKER_VALUES = (
    "home_wage_usd_per_month",
    "earning_capacity_usd_per_month",
    "expenses_usd_per_month",
    "quota_usd_per_month",
    "skim_share",
    "kept_usd_per_month",
)
WV_HOME_WAGE, WV_CAPACITY, WV_EXPENSES, WV_QUOTA, WV_SKIM, WV_KEPT_PER_MONTH = range(len(WORKER_VALUES))

REGIMES = ("camp", "free")
CAMP, FREE = range(len(REGIMES))
