// What a send would cost before it is sent (POST /v1/messages/estimate):
// the credits held — the worst case, every Alimtalk falling back — what it
// costs if every message arrives on its first channel, and who is refused.
import type { Estimate } from "../api/types.ts";
import { centsToCredits, creditsToCents, formatCredits } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import type { Recipient } from "../send-body.ts";
import { detailText, errorText } from "./form.tsx";

const TYPES = ["alimtalk", "sms", "lms", "mms"] as const;

export function EstimatePanel({
  estimate,
  error,
  loading,
  recipients,
}: {
  estimate: Estimate | null;
  error: unknown;
  loading: boolean;
  recipients: Recipient[];
}) {
  const { t, locale } = useI18n();
  if (recipients.length === 0) {
    return <p className="muted">{t("send.estimateEmpty")}</p>;
  }
  if (!estimate) {
    return (
      <div aria-live="polite">
        {loading ? <p className="muted">{t("send.estimating")}</p> : null}
        {error ? <p className="text-bad">{errorText(t, error)}</p> : null}
      </div>
    );
  }
  const worst = estimate.cost.worstCase;
  const after = creditsToCents(estimate.available) - creditsToCents(estimate.cost.held);
  const short = after < 0n;
  return (
    <div className="estimate" aria-live="polite" data-testid="estimate">
      <dl className="kv">
        <dt>{t("send.accepted")}</dt>
        <dd data-testid="estimate-accepted">
          {t("send.acceptedOf", {
            n: estimate.accepted.toLocaleString(locale),
            total: recipients.length.toLocaleString(locale),
          })}
        </dd>
        <dt>{t("send.worstCase")}</dt>
        <dd className="strong" data-testid="estimate-held">
          {formatCredits(worst.total)}
        </dd>
        <dt>{t("send.expected")}</dt>
        <dd>{formatCredits(estimate.cost.expected.total)}</dd>
        <dt>{t("credits.available")}</dt>
        <dd>{formatCredits(estimate.available)}</dd>
        <dt>{t("send.after")}</dt>
        <dd className={short ? "text-bad strong" : undefined}>
          {formatCredits(centsToCredits(after))}
        </dd>
      </dl>
      {worst.total !== estimate.cost.expected.total ? (
        <p className="small muted">{t("send.worstCaseHint")}</p>
      ) : null}
      <table className="table compact">
        <thead>
          <tr>
            <th>{t("send.byType")}</th>
            <th className="num">{t("send.worstCaseShort")}</th>
            <th className="num">{t("send.expectedShort")}</th>
          </tr>
        </thead>
        <tbody>
          {TYPES.filter(
            (type) =>
              worst.byType[type] !== "0.00" || estimate.cost.expected.byType[type] !== "0.00",
          ).map((type) => (
            <tr key={type}>
              <td>{t(`type.${type}` as MessageKey)}</td>
              <td className="num">{formatCredits(worst.byType[type])}</td>
              <td className="num">{formatCredits(estimate.cost.expected.byType[type])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {short ? <p className="text-bad">{t("error.INSUFFICIENT_CREDITS")}</p> : null}
      {estimate.rejected.length > 0 ? (
        <div className="rejected">
          <h3>{t("send.rejected", { n: estimate.rejected.length })}</h3>
          <ul>
            {estimate.rejected.map((r) => (
              <li key={`${r.index}-${r.to}`}>
                {t("send.line", { n: recipients[r.index]?.line ?? r.index + 1 })} · {r.to} —{" "}
                {detailText(t, { code: r.code, message: r.message })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
