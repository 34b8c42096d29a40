// Statistics: the period's figures as cards (messages, success rate, click
// rate, credits charged and refunded, contacts and groups), and the messages
// sent, delivered, failed and clicked per hour and per day of the
// organization's time zone, for one message type or all; the organization
// alone or with the organizations below it. Loaded on its own (the charts'
// library is large): the other screens do not wait for it.
import { useEffect, useState } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { StatsPoint, StatsSeries } from "../api/types.ts";
import { Button, ErrorBanner } from "../components/form.tsx";
import { PageHeader, Panel, Stat } from "../components/panel.tsx";
import { addDays, dayRange, formatCredits, formatRate } from "../format.ts";
import { type MessageKey, type Translate, useI18n } from "../i18n.tsx";
import { useLoad } from "../use-load.ts";

type Period = "today" | "7d" | "30d" | "custom";
type TypeFilter = "all" | "alimtalk" | "sms" | "lms" | "mms";

const PERIODS: Period[] = ["today", "7d", "30d", "custom"];
const TYPES: TypeFilter[] = ["all", "alimtalk", "sms", "lms", "mms"];
/** The hourly chart shows the period's last day, hour by hour. */
const HOURLY_DAYS = 1;
const REFRESH_MS = 15_000;

const SERIES = [
  { key: "sent", color: "#1f4fd8" },
  { key: "delivered", color: "#12805c" },
  { key: "failed", color: "#c0392b" },
  { key: "clicked", color: "#b7791f" },
] as const;

/** A day in the browser's zone, `days` from today, as YYYY-MM-DD. */
function day(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function periodDays(period: Period, custom: { from: string; to: string }) {
  if (period === "today") return { from: day(0), to: day(0) };
  if (period === "7d") return { from: day(-6), to: day(0) };
  if (period === "30d") return { from: day(-29), to: day(0) };
  return custom;
}

/** A bucket's label: its hour or its day, as the API's `at` (local, with its offset) says. */
function label(at: string, granularity: "hour" | "day"): string {
  const [date = "", time = ""] = at.split("T");
  if (granularity === "hour") return `${time.slice(0, 2)}:00`;
  const [, month = "", dayOfMonth = ""] = date.split("-");
  return `${Number(month)}/${Number(dayOfMonth)}`;
}

interface Row {
  label: string;
  sent: number;
  delivered: number;
  failed: number;
  clicked: number;
}

function rowsOf(series: StatsSeries | undefined): Row[] {
  if (!series) return [];
  const byBucket = new Map<string, Row>();
  for (const p of series.data as StatsPoint[]) {
    const row = byBucket.get(p.at) ?? {
      label: label(p.at, series.granularity),
      sent: 0,
      delivered: 0,
      failed: 0,
      clicked: 0,
    };
    row.sent += p.sent;
    row.delivered += p.delivered;
    row.failed += p.failed + p.expired;
    row.clicked += p.clicked;
    byBucket.set(p.at, row);
  }
  return [...byBucket.values()];
}

function seriesName(t: Translate, key: (typeof SERIES)[number]["key"]): string {
  return t(`stats.series.${key}` as MessageKey);
}

function Chart({ rows, kind, testId }: { rows: Row[]; kind: "line" | "bar"; testId: string }) {
  const { t, locale } = useI18n();
  const empty = rows.every((r) => r.sent + r.delivered + r.failed + r.clicked === 0);
  const axis = { fontSize: 12, fill: "#5d6b80" };
  const common = {
    data: rows,
    margin: { top: 8, right: 8, bottom: 0, left: -16 },
  };
  const grid = <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e9f0" />;
  const x = <XAxis dataKey="label" tick={axis} minTickGap={16} tickLine={false} />;
  const y = <YAxis allowDecimals={false} tick={axis} tickLine={false} axisLine={false} />;
  const tooltip = <Tooltip formatter={(value) => Number(value).toLocaleString(locale)} />;
  const legend = <Legend wrapperStyle={{ fontSize: 13 }} />;
  return (
    <div className="chart" data-testid={testId} data-empty={empty}>
      {empty ? <p className="chart-empty muted small">{t("stats.noData")}</p> : null}
      <ResponsiveContainer width="100%" height={260}>
        {kind === "line" ? (
          <LineChart {...common}>
            {grid}
            {x}
            {y}
            {tooltip}
            {legend}
            {SERIES.map((s) => (
              <Line
                key={s.key}
                type="linear"
                dataKey={s.key}
                name={seriesName(t, s.key)}
                stroke={s.color}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        ) : (
          <BarChart {...common}>
            {grid}
            {x}
            {y}
            {tooltip}
            {legend}
            {SERIES.map((s) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={seriesName(t, s.key)}
                fill={s.color}
                radius={[3, 3, 0, 0]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
      <details className="chart-table">
        <summary>{t("stats.asTable")}</summary>
        <div className="table-wrap">
          <table className="table compact">
            <thead>
              <tr>
                <th>{t("stats.bucket")}</th>
                {SERIES.map((s) => (
                  <th key={s.key} className="num">
                    {seriesName(t, s.key)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows
                .filter((r) => r.sent + r.delivered + r.failed + r.clicked > 0)
                .map((r) => (
                  <tr key={r.label}>
                    <td>{r.label}</td>
                    {SERIES.map((s) => (
                      <td key={s.key} className="num">
                        {r[s.key].toLocaleString(locale)}
                      </td>
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

export function StatsScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const [period, setPeriod] = useState<Period>("7d");
  const [custom, setCustom] = useState({ from: day(-6), to: day(0) });
  const [type, setType] = useState<TypeFilter>("all");
  const [children, setChildren] = useState(false);
  const [round, setRound] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") setRound((r) => r + 1);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const days = periodDays(period, custom);
  const range = dayRange(days.from, days.to);
  // The hourly chart: the period's last days at most.
  const lastDays = addDays(days.to, -(HOURLY_DAYS - 1));
  const hourFrom = dayRange(days.from > lastDays ? days.from : lastDays, days.to).from;
  const scope = { ...(children ? { includeChildren: true } : {}) };
  const key = `${acting.id}:${range.from}:${range.to}:${children}:${round}`;
  const summary = useLoad(key, () =>
    unwrap(api.GET("/v1/stats/summary", { params: { query: { ...range, ...scope } } })),
  );
  const hourly = useLoad(`${key}:${type}:hour:${hourFrom}`, () =>
    unwrap(
      api.GET("/v1/stats/series", {
        params: {
          query: { granularity: "hour", from: hourFrom, to: range.to, type, ...scope },
        },
      }),
    ),
  );
  const daily = useLoad(`${key}:${type}:day`, () =>
    unwrap(
      api.GET("/v1/stats/series", {
        params: { query: { granularity: "day", ...range, type, ...scope } },
      }),
    ),
  );
  const s = summary.data;
  const n = (v: number | undefined) => (v === undefined ? "–" : v.toLocaleString(locale));
  const hourlyCapped = hourFrom !== range.from;

  return (
    <>
      <PageHeader
        title={t("stats.title")}
        actions={
          <Button small kind="ghost" onClick={() => setRound((r) => r + 1)}>
            {t("stats.refresh")}
          </Button>
        }
      />
      <Panel>
        <div className="filters" data-testid="stats-filters">
          <div className="segmented" role="radiogroup" aria-label={t("stats.period")}>
            {PERIODS.map((p) => (
              <label key={p} className={period === p ? "on" : undefined}>
                <input
                  type="radio"
                  name="period"
                  value={p}
                  checked={period === p}
                  onChange={() => setPeriod(p)}
                />
                {t(`stats.period.${p}` as MessageKey)}
              </label>
            ))}
          </div>
          {period === "custom" ? (
            <>
              <label className="inline">
                <span>{t("campaigns.from")}</span>
                <input
                  type="date"
                  value={custom.from}
                  max={custom.to}
                  onChange={(e) => setCustom({ ...custom, from: e.target.value })}
                />
              </label>
              <label className="inline">
                <span>{t("campaigns.to")}</span>
                <input
                  type="date"
                  value={custom.to}
                  min={custom.from}
                  onChange={(e) => setCustom({ ...custom, to: e.target.value })}
                />
              </label>
            </>
          ) : null}
          <label className="inline">
            <span>{t("stats.type")}</span>
            <select value={type} onChange={(e) => setType(e.target.value as TypeFilter)}>
              {TYPES.map((ty) => (
                <option key={ty} value={ty}>
                  {ty === "all" ? t("stats.allTypes") : t(`type.${ty}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={children}
              onChange={(e) => setChildren(e.target.checked)}
            />
            {t("stats.includeChildren")}
          </label>
        </div>
      </Panel>
      <ErrorBanner error={summary.error ?? hourly.error ?? daily.error} />
      <div className="stats summary-cards" data-testid="stats-summary">
        <Stat
          id="stat-messages"
          label={t("stats.messages")}
          value={n(s?.messages.total)}
          sub={
            s
              ? t("stats.messagesSub", {
                  delivered: n(s.messages.delivered),
                  failed: n(s.messages.failed),
                  pending: n(s.messages.pending),
                })
              : undefined
          }
        />
        <Stat
          id="stat-success-rate"
          label={t("stats.successRate")}
          value={s ? formatRate(s.successRate, locale) : "–"}
          sub={t("stats.successRateSub")}
        />
        <Stat
          id="stat-click-rate"
          label={t("stats.clickRate")}
          value={s ? formatRate(s.clickRate, locale) : "–"}
          sub={
            s
              ? t("stats.clickRateSub", {
                  n: n(s.messages.clicked),
                  of: n(s.messages.deliveredTracked),
                })
              : undefined
          }
        />
        <Stat
          id="stat-charged"
          label={t("stats.charged")}
          value={formatCredits(s?.credits.charged)}
        />
        <Stat
          id="stat-refunded"
          label={t("stats.refunded")}
          value={formatCredits(s?.credits.refunded)}
        />
        <Stat id="stat-contacts" label={t("stats.contacts")} value={n(s?.contacts)} />
        <Stat id="stat-groups" label={t("stats.groups")} value={n(s?.groups)} />
      </div>
      <Panel
        title={t("stats.hourly")}
        id="stats-hourly"
        actions={
          <span className="muted small" data-testid="hourly-day">
            {hourlyCapped ? t("stats.hourlyDay", { day: days.to }) : days.to}
          </span>
        }
      >
        <Chart rows={rowsOf(hourly.data)} kind="line" testId="chart-hourly" />
      </Panel>
      <Panel title={t("stats.daily")} id="stats-daily">
        <Chart rows={rowsOf(daily.data)} kind="bar" testId="chart-daily" />
      </Panel>
      <p className="hint">{t("stats.zone", { zone: hourly.data?.timeZone ?? acting.timezone })}</p>
    </>
  );
}
