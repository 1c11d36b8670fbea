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
# # Methods and validation
#
# How far the methods of the other notebooks can be trusted: first a classic real series with a
# known answer, then the validation study on simulated series with known truth.
#
# ## The coal-mining disasters change point against the literature
#
# The British coal-mining disasters of Jarrett (1979, *Biometrika* 66) are the textbook test of
# Poisson change-point methods, and the literature (Raftery and Akman 1986, *Biometrika* 73, on
# Jarrett's corrected series) places one change in their rate. Below, the package's default
# detector, which knows nothing of that answer, on the disasters per year; the printed summary
# gives the detected change (in disasters per year) beside what the literature reports, and the
# comparison table says whether the literature's years fall in the detector's location interval
# and its rates (disasters per year) in the segment-rate intervals.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `incident-trends report -p name=value`)
validation_path = None  # a validation.json; None: reports/validation/ or a quick run
level = 0.95  # level of the change-point intervals

# %%
import analysis as it

it.use_house_style()  # the house style, for this notebook only
coal = it.coal_changepoint(level=level)
print(coal.summary())
it.format_table(coal.to_frame())

# %%
ax = coal.plot()

# %% [markdown]
# ## The validation study: false alarms, power and interval coverage
#
# `make validate` simulates series with known truth (independent Poisson, negative-binomial,
# latent-AR(1) and weekly-cycle counts, fixed seeds) and measures, for each default of the
# package, how often it raises a false alarm, how often it finds a real change (power) and how
# often its intervals cover the truth, each as a share with its Monte Carlo standard error
# (`mc_se`) and the target the issues set. The sentence below says whether these are the numbers
# of `make validate` or of a quick run made here. Every series is SIMULATED.

# %%
validation = it.validation_results(validation_path)
print(it.validation_note(validation))
print(validation.summary())
tables = it.validation_tables(validation)

# %% [markdown]
# ### False alarms (share of series with no change in which one was reported)

# %%
it.format_table(tables["false alarms"])

# %% [markdown]
# ### Power (share of series with one real change in which it was found)

# %%
it.format_table(tables["power"])

# %% [markdown]
# ### Interval coverage (share of intervals that contain the truth)

# %%
it.format_table(tables["coverage"])
