// The money panels of the credits screen beside the ledger: a month's
// statement (per organization and type, with its CSV), and the platform
// operator's adjustment form.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Statement } from "../api/types.ts";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Empty, Panel } from "../components/panel.tsx";
import { safeFileName, saveFile } from "../download.ts";
import { formatCredits } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useLoad } from "../use-load.ts";

function thisMonth(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
}

export function StatementPanel() {
  const { t } = useI18n();
  const { api } = useSession();
  const [month, setMonth] = useState(thisMonth);
  const [includeChildren, setIncludeChildren] = useState(false);
  const [statement, setStatement] = useState<Statement | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const query = () => ({ month, includeChildren });
  const load = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setStatement(await unwrap(api.GET("/v1/reports/statements", { params: { query: query() } })));
    } catch (err) {
      setError(err);
      setStatement(null);
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    setError(null);
    try {
      const blob = await unwrap(
        api.GET("/v1/reports/statements.csv", {
          params: { query: query() },
          parseAs: "blob",
        }),
      );
      saveFile(blob as Blob, `${safeFileName(`${t("statements.csvName")}-${month}`)}.csv`);
    } catch (err) {
      setError(err);
    }
  };
  const typeText = (type: string) => {
    const key = `statements.type.${type}` as MessageKey;
    const text = t(key);
    return text === key ? type : text;
  };
  const lines = statement?.lines ?? null;
  return (
    <Panel title={t("statements.title")}>
      <form className="row wrap" onSubmit={load}>
        <Field id="statement-month" label={t("statements.month")} name="month" error={error}>
          <input
            id="statement-month"
            type="month"
            value={month}
            onChange={(e) => setMonth(e.target.value)}
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={includeChildren}
            onChange={(e) => setIncludeChildren(e.target.checked)}
          />
          {t("statements.includeChildren")}
        </label>
        <Button type="submit" kind="primary" busy={busy}>
          {t("statements.show")}
        </Button>
        <Button onClick={download}>{t("statements.csv")}</Button>
      </form>
      <ErrorBanner error={error} fields={["month"]} />
      {lines && lines.length === 0 ? <Empty>{t("statements.none")}</Empty> : null}
      {lines && lines.length > 0 && statement ? (
        <div className="table-wrap">
          <table className="table" data-testid="statement">
            <thead>
              <tr>
                <th>{t("org.name")}</th>
                <th>{t("statements.type")}</th>
                <th className="num">{t("statements.count")}</th>
                <th className="num hide-sm">{t("statements.unitPrice")}</th>
                <th className="num">{t("statements.charged")}</th>
                <th className="num hide-sm">{t("statements.refundedCount")}</th>
                <th className="num">{t("statements.refunded")}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={`${l.orgId}-${l.type}`}>
                  <td>{l.orgName}</td>
                  <td>{typeText(l.type)}</td>
                  <td className="num">{l.count}</td>
                  <td className="num hide-sm">{l.unitPrice ? formatCredits(l.unitPrice) : "–"}</td>
                  <td className="num">{formatCredits(l.charged)}</td>
                  <td className="num hide-sm">{l.refundedCount}</td>
                  <td className="num">{formatCredits(l.refunded)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={4}>{t("margins.total")}</th>
                <th className="num">{formatCredits(statement.totals.charged)}</th>
                <th className="hide-sm" />
                <th className="num">{formatCredits(statement.totals.refunded)}</th>
              </tr>
            </tfoot>
          </table>
        </div>
      ) : null}
    </Panel>
  );
}

/** The platform operator's corrections: credits added, or taken back (as a refund or not). */
export function AdjustmentPanel({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const orgs = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/orgs", { params: { query: { limit: 1000 } } })),
  );
  const [orgId, setOrgId] = useState("");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [kind, setKind] = useState<"adjustment" | "refund">("adjustment");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const choices = (orgs.data?.data ?? []).filter((o) => o.id !== acting.id);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const entry = await unwrap(
        api.POST("/v1/credits/adjustments", {
          body: { orgId: orgId || (choices[0]?.id ?? ""), amount: amount.trim(), reason, kind },
        }),
      );
      setDone(
        t("adjust.done", {
          amount: formatCredits(entry.amount),
          after: formatCredits(entry.balanceAfter),
        }),
      );
      setAmount("");
      setReason("");
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={t("adjust.title")}>
      <p className="muted">{t("adjust.hint")}</p>
      <form className="form" onSubmit={submit}>
        <Field id="adjust-org" label={t("adjust.org")} name="orgId" error={error}>
          <select id="adjust-org" value={orgId} onChange={(e) => setOrgId(e.target.value)}>
            {choices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="adjust-kind" label={t("adjust.kind")} name="kind" error={error}>
          <select
            id="adjust-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as "adjustment" | "refund")}
          >
            <option value="adjustment">{t("ledger.kind.adjustment")}</option>
            <option value="refund">{t("ledger.kind.refund")}</option>
          </select>
        </Field>
        <Field id="adjust-amount" label={t("adjust.amount")} name="amount" error={error}>
          <input
            id="adjust-amount"
            inputMode="decimal"
            placeholder="500.00 / -120.00"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </Field>
        <Field id="adjust-reason" label={t("adjust.reason")} name="reason" error={error}>
          <input id="adjust-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <Button type="submit" kind="primary" busy={busy}>
          {t("adjust.submit")}
        </Button>
      </form>
      <ErrorBanner error={error} fields={["orgId", "amount", "reason", "kind"]} />
      {done ? <p className="text-good">{done}</p> : null}
    </Panel>
  );
}
