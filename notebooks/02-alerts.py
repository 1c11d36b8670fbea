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
# # Alerts: incidents per day by region, their size, where, and when the rate changed
#
# One row of the Israel Home Front Command alert history is one siren for one locality (or a
# short list of localities) at one minute. It is not one drone or one rocket: one drone can set
# off sirens in many places, and a drone shot down outside Israel sets off none. Alerts of one
# kind (rockets and missiles, or hostile aircraft, i.e. drones) close in time within one alert
# area are clustered into an *incident*. Every incident count below is shown with its size, the
# alert rows and localities behind it, so that a salvo of hundreds of alerts is never shown as a
# handful of incidents with no sign of its size.

# %% tags=["parameters"]
# Parameters (papermill overrides these; `incident-trends report -p name=value`)
alerts_path = None  # None: ../shared/data or the download cache
incidents_path = None  # a canonical incident table to use instead of the alert history
start = "2023-10-07"  # first day of the window (local date)
end = "2024-10-12"  # last day of the window (inclusive)
vintage = None  # day the data were drawn; None: the window's last day for the alert history
provisional = "3D"  # newest days treated as incomplete (the collector lags 1-2 days)
weapons = ["drone", "rocket"]  # kinds of incident counted
gap = "10min"  # alerts of one kind closer than this form one incident
within = "region"  # cluster within each alert area ("region") or country-wide ("country")
regions = None  # regions to analyse; None: the n_regions with the most incidents
n_regions = 3
window = "7D"  # rolling-rate window
forecast_days = 28  # forecast horizon of the country-wide trend model
forecast_level = 0.9  # level of the forecast's prediction intervals
level = 0.95  # confidence level of every interval
progress = True  # progress bars for calls longer than two seconds (the report turns them off)

# %%
import analysis as it

it.use_house_style()  # the house style, for this notebook only
events = it.load_known_events()
data = it.load_incident_data(
    alerts_path,
    incidents_path,
    start=start,
    end=end,
    weapons=weapons,
    gap=gap,
    within=within,
    vintage=vintage,
)
print(data.summary())

# %% [markdown]
# ## Incidents by region, with their size
#
# One row per region: incidents, the alert rows and localities behind them, and the largest
# incident (in alert rows). An incident that touched several regions counts once in each, so the
# rows add up to more incidents than there are; the note under the table says so.

# %%
if data.available:
    sizes = it.incident_sizes(data.incidents, by=data.default_by, start=data.start, end=data.end)
    chosen = regions if regions is not None else list(sizes.index[:n_regions])
    print(sizes.attrs.get("note", ""))
    display(it.format_table(sizes))

# %% [markdown]
# ### Per day
#
# On the left the incidents per day in each region; on the right the alert rows per day behind
# them (bars) and the localities alerted per day (line). Known events from the curated table
# (`data/curated/known_events.csv`, each with its source) are shaded and dated.

# %%
if data.available:
    daily = it.daily_incident_sizes(
        data.incidents, start=data.start, end=data.end, by=data.default_by, groups=chosen
    )
    fig = it.plot_region_incidents(
        daily,
        events=events,
        source=it.plots.ALERT_SOURCE if data.kind == "alerts" else f"Source: {incidents_path}",
    )

# %% [markdown]
# ## Where: the alerted localities
#
# One dot per locality, its area proportional to the alert rows that named it in the window.
# Country outlines are the bundled Natural Earth 1:110m boundaries (public domain,
# `data/reference/country_outlines.csv`): no map tile is fetched, and at this scale the borders
# are schematic. An incident file has no localities, so there is no map for one.

# %%
if data.kind == "alerts":
    localities = it.alert_locality_counts(it.match_localities(data.alerts))
    ax = it.plot_alert_map(localities)
    print(
        f"{localities.attrs['unplaced']:,} name occurrences in the alert rows have no "
        "coordinates and are not on the map."
    )

# %% [markdown]
# ## When the rate changed, and the trend
#
# For each region: change points by an exact optimal segmentation of the daily incident counts
# (the penalty is scaled by the long-run dispersion of the counts, so slow waves are not taken for
# changes; the newest provisional days are left out), then a count regression with a day-of-week
# effect and level shifts at those changes, whose standard errors allow for overdispersion and
# serial dependence. The table lists every change date in full and the incidents per day in each
# segment; the figure marks the known events.

# %%
if data.available:
    fits = it.fit_regions(
        daily.xs("incidents", axis=1, level="measure"),
        unit="incidents",
        vintage=data.vintage,
        provisional=provisional,
        level=level,
        progress=progress,
    )
    print(fits.summary())
    display(it.format_table(fits.to_frame()))

# %%
if data.available:
    fig = fits.plot(
        events=events,
        source=it.plots.ALERT_SOURCE if data.kind == "alerts" else f"Source: {incidents_path}",
    )

# %% [markdown]
# ## Country-wide, by weapon: rolling rate, change points, trend and forecast
#
# The same analysis for all regions together, one series per kind of alert incident (drones
# and rockets). The rolling rate is the trailing rate per day with its band, which allows for
# overdispersion and serial dependence; the forecast intervals are whole numbers of incidents
# per day, simulated from the fitted model with its dependence. Only for the alert history: an
# incident file can mix units, which must not be pooled by weapon.

# %%
if data.kind == "alerts":
    by_weapon = it.daily_incident_sizes(
        data.incidents, start=data.start, end=data.end, by="weapon", groups=weapons
    )
    weapon_fits = it.fit_regions(
        by_weapon.xs("incidents", axis=1, level="measure"),
        unit="incidents",
        vintage=data.vintage,
        provisional=provisional,
        level=level,
        progress=progress,
    )
    print(weapon_fits.summary())
    fig = weapon_fits.plot(events=events, source=it.plots.ALERT_SOURCE)

# %%
if data.kind == "alerts":
    first = weapons[0]
    rolling = it.rolling_rate(
        by_weapon[(first, "incidents")].rename(f"{first} incidents"),
        window=window,
        level=level,
        vintage=data.vintage,
        provisional=provisional,
    )
    ax = it.label_chart(
        it.mark_events(rolling.plot(), events),
        title=f"{first.capitalize()} alert incidents per day with a trailing {window} rate",
        xlabel="local day (Israel)",
        ylabel="incidents per day",
        source=it.plots.ALERT_SOURCE,
    )

# %%
if data.kind == "alerts":
    trend = weapon_fits.trends[first]
    forecast = trend.forecast(forecast_days, level=forecast_level)
    print(f"{first.capitalize()} alert incidents per day, trend within segments: {trend.slope_text}")
    ax = it.label_chart(
        trend.plot(forecast=forecast),
        title=f"{first.capitalize()} alert incidents per day: trend model and "
        f"{forecast_days}-day forecast ({forecast_level:.0%} prediction intervals)",
        xlabel="local day (Israel)",
        ylabel="incidents per day",
        source=it.plots.ALERT_SOURCE,
    )
    display(
        it.format_table(
            forecast.to_frame().head(7),
            level=forecast_level,
            caption=f"{first.capitalize()} alert incidents per day: forecast of the first 7 days "
            f"(mean and {forecast_level:.0%} prediction interval, whole incidents)",
        )
    )

# %% [markdown]
# ## Known events
#
# The curated table marked on the plots: every row has a source address; `checked` is true where
# the address is in the project's source list and supports the row, false where it is a widely
# known public page not verified offline.

# %%
it.format_table(events)
