// What a send would cost before it is sent (POST /v1/messages/estimate):
// the credits held — the worst case, every Alimtalk falling back — what it
// costs if every message arrives on its first channel, who is left out and
// why (opted out, no advertising consent, the advertising night), and who
// waits for the morning.
import { ApiError } from "../api/errors.ts";
import type { Estimate, Rejection } from "../api/types.ts";
import { centsToCredits, creditsToCents, formatCredits, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import type { Recipient } from "../send-body.ts";
import { Exclusions, rejectionsOf } from "./exclusions.tsx";
import { errorText } from "./form.tsx";

const TYPES = ["alimtalk", "sms", "lms", "mms"] as const;

/** Where a refused recipient came from: its line of the recipients box, or a group. */
export function whereFrom(
  t: ReturnType<typeof useI18n>["t"],
  lines: readonly number[],
): (r: Rejection) => string {
  return (r) => {
    const line = lines[r.index];
    return line === undefined ? t("send.fromGroup") : t("send.line", { n: line });
  };
}

export function EstimatePanel({
  estimate,
  error,
  loading,
  recipients,
  groups,
  timeZone,
}: {
  estimate: Estimate | null;
  error: unknown;
  loading: boolean;
  recipients: Recipient[];
  /** How many groups the send goes to besides the recipients. */
  groups: number;
  timeZone: string;
}) {
  const { t, locale } = useI18n();
  const where = whereFrom(
    t,
    recipients.map((r) => r.line),
  );
  if (recipients.length === 0 && groups === 0) {
    return <p className="muted">{t("send.estimateEmpty")}</p>;
  }
  if (!estimate) {
    const refused = rejectionsOf(error);
    const noneLeft =
      error instanceof ApiError && error.details.some((d) => d.code === "NO_VALID_RECIPIENTS");
    return (
      <div aria-live="polite" className="estimate" data-testid="estimate-error">
        {loading ? <p className="muted">{t("send.estimating")}</p> : null}
        {error ? (
          <p className="text-bad">
            {noneLeft ? t("detail.NO_VALID_RECIPIENTS") : errorText(t, error)}
          </p>
        ) : null}
        {error && refused.length > 0 ? <Exclusions rejected={refused} where={where} /> : null}
      </div>
    );
  }
  // With groups, who is asked for is known only from the answer: the members, once per number.
  const total = groups > 0 ? estimate.accepted + estimate.rejected.length : recipients.length;
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
            total: total.toLocaleString(locale),
          })}
        </dd>
        {estimate.deferred.length > 0 ? (
          <>
            <dt>{t("send.deferred")}</dt>
            <dd data-testid="estimate-deferred">
              {t("send.deferredUntil", {
                n: estimate.deferred.length.toLocaleString(locale),
                at: formatTime(estimate.deferredUntil, locale, timeZone),
              })}
            </dd>
          </>
        ) : null}
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
      <Exclusions rejected={estimate.rejected} where={where} />
    </div>
  );
}
