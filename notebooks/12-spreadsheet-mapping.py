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
#   title: A spreadsheet with a mapping
# ---

# %% [markdown]
# # A spreadsheet brought into the analysis with a mapping
#
# **The spreadsheet used here is SIMULATED**: `tests/fixtures/table/claims_simulated.csv` is an
# invented analyst's table of claims in the analyst's own column names and words (`Date`
# day-first, `Type` "Shahed", `What` "attacks claimed"); no row is real. Pass your own CSV,
# Excel or Parquet file as `table_path` and your mapping as `mapping_path`. Every number below
# is computed from the file, none is typed in.
#
# The mapping (TOML) says which column is which, how dates are written and how the analyst's
# weapon and unit words map to the controlled vocabularies. The unit here is the *claim* (an
# attack a group says it made), never a launch or an interception.

# %% tags=["parameters"]
# Parameters (papermill overrides these)
table_path = "../tests/fixtures/table/claims_simulated.csv"  # SIMULATED fixture
mapping_path = "../tests/fixtures/table/mapping.toml"
actor = "Test actor A"
start = "2024-11-01"  # first day counted
end = "2024-11-30"  # last day counted

# %%
from pathlib import Path

import analysis as it

print(Path(mapping_path).read_text(encoding="utf-8"))

# %% [markdown]
# ## 1. Load with the mapping: claims and rejects
#
# A word the mapping and the vocabulary do not know ("balloon") or a negative number of claims
# rejects its row, with the file row, the column and the reason; rows loaded plus rows
# rejected equals rows read.

# %%
claims, rejects = it.load_table(table_path, mapping=mapping_path, return_rejects=True)
print(f"{len(claims)} rows of claims (SIMULATED) in the table, {len(rejects)} rows rejected")
it.format_table(rejects[["row", "column", "reason"]])

# %%
it.format_table(claims[["incident_id", "start", "actor", "weapon", "quantity", "unit", "source_url"]])

# %% [markdown]
# The same mapping can be given as keywords, for a quick call in a notebook:

# %%
same = it.load_table(
    table_path,
    columns={
        "incident_id": "Ref",
        "start": "Date",
        "actor": "Group",
        "weapon": "Type",
        "quantity": "Number",
        "unit": "What",
        "source_url": "Link",
    },
    dayfirst=True,
    weapons={"Shahed": "drone", "Katyusha": "rocket"},
    units={"attacks claimed": "claim"},
    return_rejects=True,
)[0]
print(
    f"keywords give the same {len(same)} rows of claims: {same['incident_id'].tolist() == claims['incident_id'].tolist()}"
)

# %% [markdown]
# ## 2. One actor's claims per day, and the rate of claims per day
#
# A row is one statement; `quantity` is the number of attacks it claims, and the count sums it
# (`weight="quantity"`). Days between `start` and `end` without a row count 0 claims only
# because this spreadsheet is taken to be the analyst's complete record of the actor's claims.
# The rate is in claims per day; `estimate_rate`'s summary calls each counted item an *event*,
# and here every event is a claim.

# %%
mine = it.filter_incidents(claims, actor=actor, actor_columns=["actor"])
counts = it.count_incidents(mine, start=start, end=end, weight="quantity")
print(
    f"claims per day, {counts.index[0].date()}..{counts.index[-1].date()}: {int(counts.sum())} claims"
)
print(it.estimate_rate(counts).summary())
