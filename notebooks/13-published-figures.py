# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: title
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
#   title: The published-figures model on the curated claims tables
# ---

# %% [markdown]
# # Claims of the Islamic Resistance in Iraq: the daily rate implied by day-level reports and period totals
#
# The data here are **real published figures**, curated by the project with every row's source
# (`data/curated/iri_claims_daily.csv`, `data/curated/reported_figures.csv`, see
# `data/README.md`); nothing is simulated. Every number below is computed from those tables,
# none is typed in.
#
# The unit is the **claim**: an attack the group said it carried out. Israeli counts of drones
# *launched* and *intercepted* are other units; they are shown beside the claims, never added
# to them, and the rate below is a rate of claims only.
#
# The model (`estimate_rates_from_daily`): claims per day are Poisson with a piecewise-constant
# rate; a daily tally is the count of claims for its day, a single reported claim a lower bound
# for its day, a period total a count (or a lower bound, or "about") over its days; several
# sources for one day stay separate observations; **a day with no report contributes nothing:
# it is unknown, not zero**. Intervals are profile-likelihood intervals widened by the
# dispersion of the figures and the design effect of the day-level reports.

# %% tags=["parameters"]
# Parameters (papermill overrides these)
actor = "Islamic Resistance in Iraq"
target = "Israel"
weapon = "unknown"  # the curated tallies of claims of every weapon (drone-only tallies are another series)
unit = "claim"
breaks = [
    "2024-07-01",
    "2024-09-01",
    "2024-10-01",
    "2024-10-29",
    "2024-11-05",
]  # first day of each new segment
week = ("2024-10-29", "2024-11-04")  # the week of the seed question
seed_rate_id = "jns-iri-drone-rate-recent-weeks"  # "an average of five a day"
seed_max_id = "jns-iri-drone-max-24h"  # "eight drones launched over a 24-hour period"

# %%
import pandas as pd

import analysis as it

it.use_house_style()  # the house style, for this notebook only

# %% [markdown]
# ## 1. The curated tables
#
# One row per (date, source) in the day-level table, one row per published figure in the
# figures table.

# %%
daily = it.load_iri_claims_daily()
figures = it.load_reported_figures()
print(
    f"day-level table: {len(daily)} rows (claims, launches, interceptions); "
    f"figures table: {len(figures)} published figures of every unit"
)
it.format_table(daily.groupby(["unit", "kind", "qualifier"]).size().rename("rows"))

# %% [markdown]
# ## 2. Claims, launches and interceptions side by side around the seed week
#
# The ledger lists each unit with its sources; "no report" is unknown, never 0 claims. Israeli
# counts that name no front ("from the east") are left out of a ledger of one front.

# %%
ledger = it.reconcile(
    daily=daily, figures=figures, actor=actor, target=target, start="2024-10-25", end="2024-11-12"
)
print(ledger.summary())
it.format_table(ledger.to_frame()[list(ledger.units)])

# %% [markdown]
# ## 3. Day-level rows and period totals as observations of claims
#
# A single-day total that is a day-level report again (same day, value and publisher) is kept
# once; totals of other units, targets or weapons, and averages or maxima, are left out.

# %%
obs = it.figures_from_daily(
    daily, unit=unit, totals=figures, actor=actor, target=target, weapon=weapon
)
print(
    f"{len(obs)} observations of claims: "
    f"{int((obs['period_start'] == obs['period_end']).sum())} single days, "
    f"{int((obs['period_start'] != obs['period_end']).sum())} longer periods; "
    f"kept once: {obs.attrs['duplicates']}; totals left out by column: {obs.attrs['totals_left_out']}"
)

# %% [markdown]
# ## 4. The daily rate of claims over the campaign

# %%
fit = it.estimate_rates_from_daily(
    daily, unit=unit, totals=figures, actor=actor, target=target, weapon=weapon, breaks=breaks
)
print(fit.summary().split("\nFigures (value")[0])
print(f"(fit.summary() goes on to list the {len(obs)} observations with their fitted totals.)")
print("\n".join(fit.notes))
it.format_table(fit.to_frame())

# %%
ax = it.label_chart(
    fit.plot(),
    title=f"Daily rate of {unit}s by the {actor} from day-level reports and period totals",
    xlabel="date",
    ylabel=f"{unit}s per day",
    source="Source: data/curated/iri_claims_daily.csv and reported_figures.csv (each row names "
    "its source); fit: analysis.estimate_rates_from_daily",
)
ax.set_xlim(pd.Timestamp("2024-06-01"), pd.Timestamp("2024-11-30"));

# %% [markdown]
# The dispersion used is printed above. It is large: the day-level reports are not a random
# sample of days (a day with many claims is more likely to be reported, and the wire stories
# come in runs), so the day-level rows scatter about the rate that the period totals imply,
# and the intervals are widened for it.
#
# ## 5. The seed question, answered in claims
#
# "An average of five a day and eight drones launched over a 24-hour period in the past
# week", said around 31 Oct - 4 Nov 2024. The rate of claims in the week of 29 Oct - 4 Nov
# implied by the day-level reports and the period totals together:

# %%
implied = fit.rate_on(week)
print(
    f"Implied rate in {implied.start.date()}..{implied.end.date()}: {implied.rate:.1f} claims per day "
    f"({implied.level:.0%} CI {implied.ci_low:.1f}-{implied.ci_high:.1f} claims per day), "
    f"about {implied.rate * implied.days:.0f} claims in the {implied.days} days."
)

# %% [markdown]
# The two numbers of the statement, as the figures table records them, and their unit:

# %%
seed = figures.set_index("figure_id").loc[
    [seed_rate_id, seed_max_id],
    ["period_start", "period_end", "value", "unit", "weapon", "measure"],
]
it.format_table(seed)

# %%
stated = seed.loc[seed_rate_id]
check = fit.check(float(stated["value"]), week)
print(f"Read as claims per day, the stated {stated['value']:g} a day: {check.verdict}")
print(
    f"As curated, that figure and the {seed.loc[seed_max_id, 'value']:g} 'drones launched over a "
    f"24-hour period' are in the unit '{stated['unit']}' ({stated['weapon']}s launched), not "
    f"'{unit}': launches and claims are different units (one claim may involve several drones, "
    "and not every launch is claimed), so the claims cannot confirm or refute a count of launches."
)
