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
# # Claim check: "an average of five a day" and "eight in a 24-hour period"
#
# JNS / World Israel News quoted a regional security official who had told the Associated Press
# that drone attacks from Iraq had increased in recent weeks, giving an average per day and the
# most drones launched in one 24-hour period. Both are rows of the curated table of published
# figures (a stated rate per day and a stated maximum per day), shown below with the period they
# can cover and the words of the source in `notes`. This notebook checks them against every curated source
# that covers that period: the published totals, the rate implied by all the totals at once, the
# day-level claims and, where it overlaps, the alert history. Every number printed below is read
# from those tables, and every sentence names its unit: the official spoke of *launches* (drones
# launched), the published totals and day-level rows are mostly *claims* (what the Islamic
# Resistance in Iraq says it did), and the alert history counts *alert incidents* (sirens).

# %% tags=["parameters"]
# Parameters (papermill overrides these; `incident-trends report -p name=value`)
rate_figure = "jns-iri-drone-rate-recent-weeks"  # figure_id of the claimed average per day
max_figure = "jns-iri-drone-max-24h"  # figure_id of the claimed maximum in one day
week_figure = "iri-claims-2024-10-29-to-2024-11-04"  # the weekly total looked at in detail
alerts_path = None  # None: ../shared/data or the download cache
alert_start = "2023-10-07"  # first day of alert incidents considered
level = 0.95  # confidence level of every interval
progress = True  # progress bars for calls longer than two seconds (the report turns them off)

# %%
import analysis as it

it.use_house_style()  # the house style, for this notebook only
figures = it.load_reported_figures()
daily = it.load_iri_claims_daily()
it.format_table(
    it.select_figures(figures, figure_ids=[rate_figure, max_figure], measure=None)[
        ["figure_id", "period_start", "period_end", "value", "unit", "measure", "source_name",
         "source_url", "notes"]
    ]
)

# %% [markdown]
# ## The alert history, where it overlaps
#
# Drone alert incidents (hostile-aircraft sirens clustered into incidents) per day; the claim is
# checked against them only on the days both cover.

# %%
alerts = it.load_incident_data(alerts_path, start=alert_start, weapons=["drone"])
print(alerts.summary())
alert_counts = (
    it.count_incidents(alerts.incidents, start=alerts.start, end=alerts.end)
    if alerts.available
    else None
)

# %% [markdown]
# ## The check, source by source
#
# One row per source. A published total gives a rate per day with its interval (exact Poisson for
# exact totals; a lower bound with no upper end for "at least" totals); the rate implied by all the
# totals at once is the profile-likelihood fit of the overview notebook; the day-level rows give a
# lower bound (the largest tally of each day, never summing conflicting sources; a day with no row
# is unknown, not zero). The claimed daily maximum is compared with the largest curated day, and,
# where only a total is known, with the probability of such a day at the estimated rate.

# %%
evidence = it.check_published_claim(
    figures,
    daily,
    rate_figure=rate_figure,
    max_figure=max_figure,
    alert_counts=alert_counts,
    level=level,
    progress=progress,
)
print(evidence.summary())

# %%
it.format_table(
    evidence.to_frame()[
        ["evidence", "unit", "days", "observed", "qualifier", "rate", "ci_low", "ci_high",
         "rate_verdict", "critical_design_effect", "largest_day", "max_verdict"]
    ],
    level=level,
)

# %%
ax = evidence.plot()

# %% [markdown]
# ## The weekly total in detail
#
# The Washington Institute's count of claims for the week that overlaps the end of the claim's
# period, checked with `check_claim`: the verdict, the probability of a day with the claimed
# maximum or more at the estimated rate, and the verdict again at larger design effects
# (overdispersion or serial dependence, which a total alone cannot show).

# %%
week = evidence.check_for(week_figure)
print(week.summary())
it.format_table(week.sensitivity)

# %%
ax = it.label_chart(
    week.plot(),
    title="The weekly total of claims against the claimed average per day",
    source="Source: data/curated/reported_figures.csv (Washington Institute; JNS / World Israel "
    "News for the claim)",
)

# %% [markdown]
# ## Sources
#
# The address of every row used.

# %%
it.format_table(evidence.to_frame()[["evidence", "unit", "source_name", "source_url"]])
