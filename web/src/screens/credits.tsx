// Credits: what the organization holds and may spend, every ledger entry,
// and the margins its children's sends earned it.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Margins as MarginReport } from "../api/types.ts";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel, Stat } from "../components/panel.tsx";
import { formatCredits, formatLedgerAmount, formatTime, localInputToIso } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";
import { AdjustmentPanel, StatementPanel } from "./statements.tsx";

const LEDGER_KINDS = [
  "grant",
  "purchase",
  "hold",
  "capture",
  "release",
  "refund",
  "adjustment",
  "transfer",
  "margin",
] as const;
type LedgerKind = (typeof LEDGER_KINDS)[number];

/** An adjustment moves either way: its sign is the balance's change. */
function ledgerAmount(e: { kind: string; amount: string; balanceChange: string }) {
  if (e.kind !== "adjustment") return formatLedgerAmount(e.kind, e.amount);
  const out = e.balanceChange.startsWith("-");
  return {
    text: `${out ? "-" : "+"}${formatCredits(e.amount)}`,
    tone: out ? "text-bad" : "text-good",
  };
}

function monthStart(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-01`;
}

function todayDate(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function Margins() {
  const { t } = useI18n();
  const { api } = useSession();
  const [from, setFrom] = useState(monthStart);
  const [to, setTo] = useState(todayDate);
  const [report, setReport] = useState<MarginReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const range = {
        from: localInputToIso(`${from}T00:00`) ?? from,
        to: localInputToIso(`${to}T23:59:59`) ?? to,
      };
      setReport(await unwrap(api.GET("/v1/reports/margins", { params: { query: range } })));
    } catch (err) {
      setError(err);
      setReport(null);
    } finally {
      setBusy(false);
    }
  };
  const rows = report?.children ?? null;
  return (
    <Panel title={t("margins.title")}>
      <form className="row wrap" onSubmit={load}>
        <Field id="margins-from" label={t("margins.from")} name="from" error={error}>
          <input
            id="margins-from"
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </Field>
        <Field id="margins-to" label={t("margins.to")} name="to" error={error}>
          <input id="margins-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <Button type="submit" busy={busy}>
          {t("margins.show")}
        </Button>
      </form>
      <ErrorBanner error={error} fields={["from", "to"]} />
      {rows && rows.length === 0 ? <Empty>{t("margins.none")}</Empty> : null}
      {rows && rows.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t("org.name")}</th>
                <th className="num">{t("margins.messages")}</th>
                <th className="num">{t("margins.charged")}</th>
                <th className="num">{t("margins.margin")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.orgId}>
                  <td>{r.name}</td>
                  <td className="num">{r.messages}</td>
                  <td className="num">{formatCredits(r.charged)}</td>
                  <td className="num">{formatCredits(r.margin)}</td>
                </tr>
              ))}
            </tbody>
            {report ? (
              <tfoot>
                <tr>
                  <th>{t("margins.total")}</th>
                  <th className="num">{report.total.messages}</th>
                  <th className="num">{formatCredits(report.total.charged)}</th>
                  <th className="num">{formatCredits(report.total.margin)}</th>
                </tr>
              </tfoot>
            ) : null}
          </table>
        </div>
      ) : null}
    </Panel>
  );
}

export function CreditsScreen() {
  const { t, locale } = useI18n();
  const { api, acting, home } = useSession();
  const [reload, setReload] = useState(0);
  const credits = useLoad(`${acting.id}:${reload}`, () => unwrap(api.GET("/v1/credits")));
  const [kind, setKind] = useState<LedgerKind | "">("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const kindText = (kind: string) => {
    const key = `ledger.kind.${kind}` as MessageKey;
    const text = t(key);
    return text === key ? kind : text;
  };
  const range = {
    ...(from ? { from: localInputToIso(`${from}T00:00`) ?? from } : {}),
    ...(to ? { to: localInputToIso(`${to}T23:59:59`) ?? to } : {}),
  };
  const ledger = usePaged(`${acting.id}:${kind}:${from}:${to}:${reload}`, (cursor) =>
    unwrap(
      api.GET("/v1/credits/ledger", {
        params: { query: { limit: 50, cursor, ...(kind ? { kind } : {}), ...range } },
      }),
    ),
  );
  return (
    <>
      <PageHeader title={t("credits.title")} />
      <ErrorBanner error={credits.error} />
      <div className="stats">
        <Stat
          id="credits-available"
          label={t("credits.available")}
          value={formatCredits(credits.data?.available)}
        />
        <Stat
          id="credits-balance"
          label={t("credits.balance")}
          value={formatCredits(credits.data?.balance)}
        />
        <Stat
          id="credits-held"
          label={t("credits.held")}
          value={formatCredits(credits.data?.held)}
        />
      </div>
      <Panel title={t("credits.ledger")}>
        <div className="row wrap">
          <Field id="ledger-kind" label={t("ledger.filterKind")} name="kind" error={ledger.error}>
            <select
              id="ledger-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as LedgerKind | "")}
            >
              <option value="">{t("ledger.allKinds")}</option>
              {LEDGER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindText(k)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="ledger-from" label={t("ledger.from")} name="from" error={ledger.error}>
            <input
              id="ledger-from"
              type="date"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </Field>
          <Field id="ledger-to" label={t("ledger.to")} name="to" error={ledger.error}>
            <input id="ledger-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
        </div>
        <ErrorBanner error={ledger.error} fields={["kind", "from", "to"]} />
        {ledger.data && ledger.data.data.length === 0 ? (
          <Empty>{t("credits.noEntries")}</Empty>
        ) : null}
        {ledger.data && ledger.data.data.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="ledger">
              <thead>
                <tr>
                  <th>{t("ledger.at")}</th>
                  <th>{t("ledger.kind")}</th>
                  <th className="num">{t("ledger.amount")}</th>
                  <th className="num hide-sm">{t("ledger.balanceAfter")}</th>
                  <th className="num hide-sm">{t("ledger.heldAfter")}</th>
                  <th className="hide-sm">{t("ledger.memo")}</th>
                </tr>
              </thead>
              <tbody>
                {ledger.data.data.map((e) => {
                  const amount = ledgerAmount(e);
                  return (
                    <tr key={e.id}>
                      <td>{formatTime(e.createdAt, locale, acting.timezone)}</td>
                      <td>{kindText(e.kind)}</td>
                      <td className={`num ${amount.tone}`}>{amount.text}</td>
                      <td className="num hide-sm">{formatCredits(e.balanceAfter)}</td>
                      <td className="num hide-sm">{formatCredits(e.heldAfter)}</td>
                      <td className="hide-sm">
                        {e.campaignId ? (
                          <Link to={`/campaigns/${e.campaignId}`}>{e.memo ?? e.campaignId}</Link>
                        ) : (
                          (e.memo ?? "")
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager paged={ledger} />
      </Panel>
      <StatementPanel />
      <Margins />
      {home.kind === "platform" && acting.id === home.id ? (
        <AdjustmentPanel onDone={() => setReload((n) => n + 1)} />
      ) : null}
    </>
  );
}
