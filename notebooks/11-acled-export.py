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
#   title: An ACLED export brought into the analysis
# ---

# %% [markdown]
# # An ACLED export brought into the analysis
#
# **The file used here is SIMULATED**: `tests/fixtures/acled/acled_simulated.csv` has the 31
# columns of an ACLED CSV export, but every row was invented by the project ("Test actor A",
# "Testland"). ACLED data may not be redistributed; pass the path of your own export as
# `acled_path`. Every number below is computed from the file, none is typed in.
#
# The path: load the export (every row in the table or in the rejects, with a reason), keep
# one actor's events that are dated to the day, count events per day, and estimate the rate
# of events per day with its interval. The unit throughout is the ACLED *event* (the
# canonical unit `incident`), never a claim or a launch.

# %% tags=["parameters"]
# Parameters (papermill overrides these)
acled_path = "../tests/fixtures/acled/acled_simulated.csv"  # SIMULATED fixture
actor = "Test actor A"  # part of an actor's name
start = "2024-10-01"  # first day counted
end = "2024-11-30"  # last day counted

# %%
import analysis as it

# %% [markdown]
# ## 1. Load: events and rejects
#
# `load_acled` reads ISO dates or "04 November 2024", keeps the newest version of an event
# (`timestamp`), carries ACLED's `time_precision` (day, week, month) and rejects what it cannot
# use, with the file row, the column and the reason. Events loaded plus rows rejected equals
# rows read.

# %%
events, rejects = it.load_acled(acled_path, return_rejects=True)
print(f"{len(events)} events (SIMULATED) in the table, {len(rejects)} rows rejected")
it.format_table(rejects[["row", "column", "reason"]])

# %%
it.format_table(events[["incident_id", "start", "time_precision", "actor", "unit", "source_ref"]])

# %% [markdown]
# ## 2. Filter: one actor, events dated to the day
#
# A week- or month-precision event is never put on its first day; `precise_to="day"` keeps
# only the events whose day is known. The actor is looked for in the canonical `actor` column
# (ACLED's `actor1`, the side that acted).

# %%
day_events = it.filter_incidents(events, actor=actor, precise_to="day", actor_columns=["actor"])
print(f"{len(day_events)} of {len(events)} events (SIMULATED) are {actor}'s, dated to the day")

# %% [markdown]
# ## 3. Count events per day
#
# `count_incidents` zero-fills the days between `start` and `end`: a day without an event in
# the export counts 0 events (ACLED's coverage is taken as complete for the actor and place).
# Called on all of the actor's events, it leaves out those whose week or month does not fall
# inside one day,
# and says how many (`attrs["left_out"]`), rather than placing them on a day.

# %%
counts = it.count_incidents(
    it.filter_incidents(events, actor=actor, actor_columns=["actor"]), start=start, end=end
)
print(
    f"events per day, {counts.index[0].date()}..{counts.index[-1].date()}: "
    f"{int(counts.sum())} events counted; left out (coarser than a day): {counts.attrs['left_out']}"
)

# %% [markdown]
# ## 4. Rate of events per day
#
# The interval allows for overdispersion and serial dependence (see the README); with a handful
# of SIMULATED events it is wide.

# %%
rate = it.estimate_rate(counts)
print(rate.summary())
