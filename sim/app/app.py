"""The scenario explorer: a Solara page, built like Mesa's SolaraViz, to pull the levers of a scenario and watch it run.

Wiring only. The levers and their validation live in :mod:`sim.app.controls`,
the model and the baseline run in :mod:`sim.app.model`, the charts in
:mod:`sim.app.charts`. Started by ``sim explore`` (``solara run sim.app.app``);
the scenario and the default language come from the environment variables
SIM_EXPLORE_SCENARIO and SIM_EXPLORE_LANG.

Each browser tab gets its own controls and model (built inside ``Page``),
and its own language (a Solara reactive variable is per tab). A lever change
is validated at once; a refused setting shows its one-line reason and the
last valid one stays in force; a valid change takes effect on Reset.

The page is composed here from Solara's components and Mesa's
``update_counter`` rather than by ``SolaraViz``, whose labels (Controls, Play
Interval, Use Threads, Model Parameters, Information, the "Page 0" tab) are
fixed in English: every word on the page comes from :data:`UI`, the controls'
labels or the names of :mod:`sim.model.registry` and :mod:`sim.model.vocabulary`,
in the tab's language. The run controls
(Reset, Play/Pause, Step) work as Mesa's ``ModelController`` does.
"""

from __future__ import annotations

import os
import time

import solara
import solara.lab
from mesa.visualization.utils import force_update, update_counter

from sim.app import charts
from sim.app.controls import (
    BY_KEY,
    LEVERS,
    SHARES,
    Control,
    ControlState,
    is_snap_echo,
    slider_range,
    snap,
)
from sim.app.model import ENV_LANG, ExplorerModel, baseline, frame, spec_from_env
from sim.model import registry
from sim.model.vocabulary import pick
from sim.region import load_region
from sim.report import style
from sim.scenario import ScenarioSpec

style.setup(require_cjk=False)

lang = solara.reactive(os.environ.get(ENV_LANG, "zh") if os.environ.get(ENV_LANG) in ("zh", "en") else "zh")
"""Language of the page, per browser tab (Solara keeps a reactive variable per tab)."""

UI = {
    "app": ("招商引资情景沙盘", "Investment-attraction scenario explorer"),
    "levers": ("政策杠杆", "Policy levers"),
    "shares": ("年度招商预算分配（份额）", "Yearly attraction budget (shares)"),
    "apply_hint": ("调整后点击「重置」生效；「单步」推进一个月，「播放」连续运行。",
                   "Changes take effect on Reset; Step advances one month, Play runs on."),
    "pending": ("杠杆已调整，点击「重置」后生效。", "Levers changed: press Reset to apply them."),
    "run": ("运行", "Run"),
    "reset": ("重置", "Reset"),
    "play": ("播放", "Play"),
    "pause": ("暂停", "Pause"),
    "step": ("单步", "Step"),
    "interval": ("播放间隔（毫秒）", "Play interval (ms)"),
    "at_end": ("已到模拟期末，点击「重置」重新开始。", "End of the horizon: press Reset to start again."),
    "run_error": ("运行出错：", "The run stopped with an error: "),
    "refused": ("设置无效，未采用（仍用上一组有效设置）：", "Setting refused (the last valid one stays in force): "),
    "share_total": ("预算份额合计 {total:.0f}%（上限 100%；未列出的杠杆占 {rest:.0f}%）",
                    "Budget shares total {total:.0f}% (limit 100%; levers not listed take {rest:.0f}%)"),
    "seed": ("随机种子", "Random seed"),
    "seed_bad": ("请输入 0 至 4294967295 的整数：", "Enter a whole number from 0 to 4294967295: "),
    "restore": ("恢复情景原设", "Restore the scenario's levers"),
    "scenario": ("情景", "Scenario"),
    "changed": ("已调整", "Changed"),
    "none_changed": ("无（情景原设）", "none (scenario as loaded)"),
    "language": ("语言", "Language"),
    "region": ("地区", "Region"),
    "government": ("政府", "Government"),
    "gov_spent": ("累计支出（万元）", "Spent so far (10,000 yuan)"),
    "gov_land": ("可用熟地（亩）", "Serviced land free (mu)"),
}


def ui(key: str, **kw: object) -> str:
    """A fixed text of the page in the tab's language."""
    return pick(UI[key], lang.value).format(**kw)


def region_name(region: str, lg: str) -> str:
    """The region's name in the tab's language, from its region file."""
    return load_region(region).name(lg)


# ----------------------------------------------------------------------------- main area
def _frames(model: ExplorerModel):
    return frame(model), baseline(model.base_spec, model.seed_applied)


def Headlines(model: ExplorerModel):
    """Headline numbers: this run now, the baseline at the same month and at the horizon."""
    update_counter.get()
    lg = lang.value
    current, base = _frames(model)
    rows = charts.headlines(current, base)
    horizon = model.base_spec.params.run.horizon_months
    changed = model.controls_changed()
    changes = "; ".join(f"{c.label(lg)} = {_show(c, v)}" for c, v in changed) or ui("none_changed")
    with solara.Column(gap="6px", style={"padding": "8px", "overflow": "auto", "height": "100%"}) as main:
        solara.Text(f"{ui('scenario')}: {model.base_spec.label(lg)} · {ui('region')}: {region_name(model.p.region, lg)} · "
                    f"{charts.t('month', lg, m=model.month)} · {ui('seed')} {model.seed_applied}", classes=["explorer-month"],
                    style={"font-weight": "bold"})
        solara.Text(f"{ui('changed')}: {changes}", classes=["explorer-changed"], style={"font-size": "0.85em"})
        head = [charts.t("indicator", lg), charts.t("current", lg), charts.t("at_month", lg),
                charts.t("at_end", lg, m=horizon)]
        cell = {"padding": "2px 10px", "text-align": "right"}
        rows_el = [solara.v.Html(tag="tr", children=[solara.v.Html(tag="th", children=[h], style_="padding: 2px 10px; text-align: left")
                                                     for h in head])]
        for key, (now, same, end) in rows.items():
            rows_el.append(solara.v.Html(tag="tr", children=[
                solara.v.Html(tag="td", children=[registry.label(key, lg)], style_="padding: 2px 10px"),
                solara.v.Html(tag="td", children=[charts.format_value(key, now, lg)], class_=f"headline-{key}",
                              style_=_css(cell) + "; font-weight: bold"),
                solara.v.Html(tag="td", children=[charts.format_value(key, same, lg)], class_=f"headline-{key}-baseline",
                              style_=_css(cell)),
                solara.v.Html(tag="td", children=[charts.format_value(key, end, lg)], style_=_css(cell) + "; color: #666"),
            ]))
        solara.v.Html(tag="table", children=rows_el, class_="explorer-headlines",
                      style_="border-collapse: collapse; font-size: 0.95em")
        solara.Text(charts.definitions_line(lg), classes=["explorer-definitions"],
                    style={"font-size": "0.8em", "color": "#555"})
        GovernmentTable(model)
    return main


def GovernmentTable(model: ExplorerModel):
    """Each government of the scenario's region (its districts and counties, then the city, named as its region file
    names them): what it has spent so far and the serviced land it has free now."""
    lg = lang.value
    spent = model.ledger.by_government.sum(axis=1)
    cell = "padding: 1px 10px; text-align: right"
    head = [ui("government"), ui("gov_spent"), ui("gov_land")]
    rows = [solara.v.Html(tag="tr", children=[solara.v.Html(tag="th", children=[h], style_="padding: 1px 10px") for h in head])]
    for g, spec in zip(model.governments, model.p.governments.values(), strict=True):
        rows.append(solara.v.Html(tag="tr", children=[
            solara.v.Html(tag="td", children=[spec.name_zh if lg == "zh" else spec.name_en], style_="padding: 1px 10px"),
            solara.v.Html(tag="td", children=[f"{spent[g.index]:,.0f}"], style_=cell),
            solara.v.Html(tag="td", children=[f"{g.free_land:,.0f}"], style_=cell)]))
    solara.v.Html(tag="table", children=rows, class_="explorer-governments",
                  style_="border-collapse: collapse; font-size: 0.85em; margin-top: 6px")


def _css(d: dict) -> str:
    return "; ".join(f"{k}: {v}" for k, v in d.items())


def _chart(model: ExplorerModel, kind: str):
    update_counter.get()
    lg = lang.value
    current, base = _frames(model)
    horizon = model.base_spec.params.run.horizon_months
    if kind == "pipeline":
        fig = charts.pipeline_figure(current, base, horizon, lg)
    elif kind == "rates":
        fig = charts.rates_figure(current, base, horizon, lg)
    else:
        fig = charts.withdrawals_figure(current, base, lg)
    deps = [id(model), model.t, lg, kind]
    return solara.FigureMatplotlib(fig, dependencies=deps, format="png")


def PipelineChart(model: ExplorerModel):
    """Projects at each stage, this run against the baseline."""
    return _chart(model, "pipeline")


def RatesChart(model: ExplorerModel):
    """Fulfilment and capital-arrival rates, this run against the baseline."""
    return _chart(model, "rates")


def WithdrawalsChart(model: ExplorerModel):
    """Withdrawals by reason, this run against the baseline."""
    return _chart(model, "withdrawals")


CHARTS = [PipelineChart, RatesChart, WithdrawalsChart]


@solara.component
def MainView(model: ExplorerModel):
    """The headline numbers and the three charts, redrawn after every step."""
    update_counter.get()
    with solara.Column(classes=["explorer-main"]), solara.GridFixed(columns=2, align_items="start"):
        with solara.Card(classes=["explorer-card"]):
            Headlines(model)
        for chart in CHARTS:
            with solara.Card(classes=["explorer-card", "explorer-chart"]):
                chart(model)


# ----------------------------------------------------------------------------- sidebar
def _show(c: Control, v) -> str:
    return c.show(v, lang.value)


LEVER_CSS = """
.explorer-controls .v-input__slider .v-input__slot { flex-wrap: wrap; }
.explorer-controls .v-input__slider .v-label { flex: 0 0 100%; max-width: 100%; white-space: normal; font-size: 0.9em; }
.explorer-controls .v-input__slider .v-slider { margin-top: -4px; }
"""
"""Slider labels on their own line above the track, so long labels (English) leave the slider its width."""


@solara.component
def LanguageSwitch():
    """中文 / English, for this tab."""
    with solara.ToggleButtonsSingle(value=lang, classes=["explorer-lang"]):
        solara.Button("中文", value="zh", text=True)
        solara.Button("English", value="en", text=True)


@solara.component
def ControlsPanel(state: ControlState, model: solara.Reactive[ExplorerModel]):
    """Sliders, switches and budget shares of the loaded scenario, validated on every change."""
    lg = lang.value
    draft = solara.use_reactive(dict(state.values))
    error = solara.use_reactive(None)
    seed_text = solara.use_reactive(str(state.seed))
    seed_error = solara.use_reactive(None)

    def change(key: str, value) -> None:
        c = BY_KEY[key]
        if is_snap_echo(c, draft.value[key], value):
            return
        new = {**draft.value, key: snap(c, value)}
        draft.set(new)
        error.set(state.propose(new))

    def change_seed(text: str) -> None:
        seed_text.set(text)
        reason = state.propose_seed(text)
        seed_error.set(None if reason is None else ui("seed_bad") + reason)

    def restore() -> None:
        fresh = ControlState(state.spec)
        draft.set(dict(fresh.values))
        state.values = dict(fresh.values)
        error.set(None)

    def widget(c: Control) -> None:
        value = draft.value[c.key]
        if c.kind == "switch":
            solara.v.Switch(label=c.label(lg), v_model=bool(value), on_v_model=lambda v, k=c.key: change(k, v),
                            hide_details=True, dense=True, class_="mt-1 mb-2").key(c.key)
        else:
            lo, hi = slider_range(c, value)
            solara.SliderFloat(f"{c.label(lg)}: {_show(c, value)}", value=value, min=lo, max=hi, step=c.step,
                               on_value=lambda v, k=c.key: change(k, v)).key(c.key)

    current = model.value
    pending = state.values != current.controls_applied or state.seed != current.seed_applied
    solara.Style(LEVER_CSS)
    with solara.Card(ui("levers"), classes=["explorer-controls"]):
        # Messages come and go inside one fixed slot: Solara matches widgets by
        # position, so a message inserted above the sliders would hand one
        # slider's state to the next.
        with solara.Column(gap="4px"):
            if pending:
                solara.Warning(ui("pending"), dense=True, classes=["explorer-pending"])
            if error.value:
                solara.Error(ui("refused") + error.value, dense=True, classes=["explorer-error"])
        for c in LEVERS:
            widget(c)
        solara.Markdown(f"**{ui('shares')}**")
        shown = sum(draft.value[c.key] for c in SHARES)
        total = 100 * sum({**state.spec.params.budget.shares,
                           **{c.share_key: draft.value[c.key] for c in SHARES}}.values())
        solara.Text(ui("share_total", total=total, rest=total - 100 * shown), classes=["explorer-share-total"],
                    style={"font-size": "0.85em", "color": "#b00020" if total > 100.0001 else "inherit"})
        for c in SHARES:
            widget(c)
        solara.InputText(ui("seed"), value=seed_text.value, on_value=change_seed, continuous_update=True,
                         error=seed_error.value or False, classes=["explorer-seed"])
        solara.Button(ui("restore"), on_click=restore, text=True, outlined=True)


@solara.component
def ScenarioCard(spec: ScenarioSpec):
    """The loaded scenario's title and description, on top of the sidebar."""
    lg = lang.value
    with solara.Card(f"{ui('scenario')}: {spec.label(lg)}", classes=["explorer-scenario"]):
        text = spec.description.get(lg) or spec.description.get("en") or ""
        with solara.Column(gap="4px", style={"font-size": "0.85em"}):
            if text:
                solara.Text(text)
            solara.Text(ui("apply_hint"))


PLAY_INTERVAL_MS = 300


@solara.component
def RunControls(state: ControlState, model: solara.Reactive[ExplorerModel]):
    """Reset (a new model from the last valid levers), Play / Pause and Step, as Mesa's ModelController."""
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    error = solara.use_reactive(None)
    running = model.value.running

    def step() -> None:
        try:
            model.value.step()
        except Exception as exc:  # shown on the page; the server goes on
            playing.set(False)
            error.set(" ".join(f"{type(exc).__name__}: {exc}".split())[:300])
        force_update()

    def play() -> None:
        while playing.value and model.value.running:
            time.sleep(interval.value / 1000)
            if playing.value:
                step()
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        error.set(None)
        model.set(ExplorerModel(controls=state))
        force_update()

    with solara.Card(ui("run"), classes=["explorer-run"]):
        with solara.Row(justify="space-between"):
            solara.Button(ui("reset"), color="primary", on_click=reset)
            solara.Button(ui("pause") if playing.value else ui("play"), color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=not running)
            solara.Button(ui("step"), color="primary", on_click=step, disabled=playing.value or not running)
        solara.SliderInt(ui("interval"), value=interval, min=50, max=2000, step=50)
        if not running:
            solara.Info(ui("at_end"), dense=True)
        if error.value:
            solara.Error(ui("run_error") + error.value, dense=True)


@solara.component
def Page():
    """One tab of the explorer: its own controls and model, the run buttons, the headline numbers and charts."""
    spec = spec_from_env()
    state = solara.use_memo(lambda: ControlState(spec), [])
    model = solara.use_reactive(solara.use_memo(lambda: ExplorerModel(controls=state), []))
    title = f"{ui('app')} · {spec.label(lang.value)}"
    solara.Title(title)
    with solara.AppBar():
        solara.AppBarTitle(title)
        LanguageSwitch()
    with solara.Sidebar(), solara.Column():
        ScenarioCard(spec)
        RunControls(state, model)
        ControlsPanel(state, model)
    MainView(model.value)
