# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Overview: the published figures across fronts, as rates per day
#
# Every figure below is a row of the project's curated table of published figures
# (`data/curated/reported_figures.csv`), with its period, unit, qualifier and source address.
# Units are kept apart: a *claim* is an attack a group says it made, a *launch* a projectile a
# military counted, an *interception* one it shot down, an *alert* a siren in one locality, and
# an *incident* an analyst's count of attacks. A rate of claims is never compared with a rate of
# launches on one axis.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `incident-trends report -p name=value`)
fronts = ["Iraq", "Lebanon", "Yemen", "Iran"]  # origins of the attacks shown
units = ["claim", "launch", "interception", "alert"]  # one panel per unit, in this order
level = 0.95  # confidence level of every interval
implied_actor = "Islamic Resistance in Iraq"  # whose overlapping totals give the implied daily rate
implied_unit = "claim"
implied_target = "Israel"
implied_weapons = ["unknown", "mixed"]  # totals over all weapons (the drone-only totals are a subset)
ledger_freq = "W"  # period of the triangulation ledger: "D", "W" or "M"
progress = True  # progress bars for calls longer than two seconds (the report turns them off)

# %%
import analysis as it

it.use_house_style()  # the house style, for this notebook only
print(f"incident-trends {it.__version__}")

# %% [markdown]
# ## Published figures as rates per day
#
# Each published total becomes a rate per day: the number divided by the days of its period
# (both end days counted). Exact figures get the exact Poisson (Garwood) interval; figures
# qualified *at least* ("more than N", "so far this month") give lower bounds, drawn as open
# triangles with an arrow, with no upper end; *about* figures are read as a range (its tolerance
# is printed with the table). From a total alone the day-to-day variation cannot be seen, so these
# intervals assume independent days and are too narrow for real counts, which come in waves.
# Figures from different sources for one period are separate rows, labelled with their source.

# %%
figures = it.load_reported_figures()
table = it.figure_rate_table(figures, level=level, fronts=fronts, units=units)
print(table.attrs["note"])
it.format_table(table[["front", "unit", "label", "value", "qualifier", "days", "rate", "ci_low", "ci_high"]], level=level)

# %%
fig = it.plot_figure_rates(table, units=units)

# %% [markdown]
# ## The daily rate implied by the overlapping published totals
#
# The totals overlap (a week inside its month, a month inside "since October", two sources for
# one month). Fitted together, as observations of sums of one daily rate (exact totals, lower
# bounds and "about" figures each read as what they are), they give a piecewise-constant daily
# rate with profile-likelihood intervals; the disagreement between sources widens them. Every
# rate in the summary is per day in the unit of `implied_unit` (claims per day by default; the
# summary itself says only "per day"), and it lists every figure used.

# %%
pooled = it.select_figures(
    figures,
    actor=implied_actor,
    unit=implied_unit,
    target=implied_target,
    weapon=implied_weapons,
    pool_weapons=True,
)
implied = it.estimate_rates_from_figures(pooled, level=level, progress=progress)
print(implied.summary())

# %%
ax = it.label_chart(
    implied.plot(),
    title=f"Daily rate of {implied_unit}s by the {implied_actor} implied by the published totals",
    xlabel="date",
    ylabel=f"{implied_unit}s per day",
    source="Source: data/curated/reported_figures.csv (each figure names its source); "
    "fit: analysis.estimate_rates_from_figures",
)

# %% [markdown]
# ## Triangulation ledger
#
# Claims, launches and interceptions of the Iraqi front side by side per week, each with its
# sources and never summed across units. A week with no report says "no report", not 0: the
# day-level table covers only the days someone published. Ratios (interceptions per launch,
# claims per launch) are computed only over weeks where both units were counted for this front;
# Israeli counts of launches and interceptions "from the east" name no actor, so they are not
# attributed to this front and are left out (the summary counts them). Where no week has both
# units, the summary says there is no ratio rather than inventing one.

# %%
ledger = it.reconcile(
    daily=it.load_iri_claims_daily(),
    figures=figures,
    actor=implied_actor,
    target=implied_target,
    freq=ledger_freq,
    level=level,
)
print(ledger.summary())

# %%
it.format_table(ledger.to_frame())

# %% [markdown]
# ## Sources
#
# Every figure above, with its source and address.

# %%
it.format_table(table[["figure_id", "unit", "label", "source_name", "source_url"]])
