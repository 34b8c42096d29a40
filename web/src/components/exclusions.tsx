// Who a send leaves out and why: a count for each reason (opted out, no
// advertising consent, the advertising night, a bad number…), then the
// first of them one by one.
import { ApiError } from "../api/errors.ts";
import type { Rejection } from "../api/types.ts";
import { formatPhone } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { detailText } from "./form.tsx";

/** How many are listed one by one; the rest are counted. */
const LISTED = 20;

/** The refused recipients an error names (a send that left nobody to send to). */
export function rejectionsOf(error: unknown): Rejection[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.flatMap((d) =>
    typeof d.index === "number" && typeof d.to === "string" && d.code
      ? [{ index: d.index, to: d.to, code: d.code, message: d.message ?? "" }]
      : [],
  );
}

/** Recipients by reason, the reasons in the order they come first. */
function byReason(rejected: readonly Rejection[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of rejected) counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
  return [...counts];
}

export function Exclusions({
  rejected,
  where,
  testId = "excluded",
}: {
  rejected: readonly Rejection[];
  /** Where a recipient came from: "3번째 줄", "그룹". */
  where(r: Rejection): string;
  testId?: string;
}) {
  const { t, locale } = useI18n();
  if (rejected.length === 0) return null;
  const reasonName = (code: string) => {
    const key = `reason.${code}` as MessageKey;
    const known = t(key);
    return known === key ? code : known;
  };
  const rest = rejected.length - LISTED;
  // In the order of the request: typed lines first, then group members.
  const ordered = [...rejected].sort((a, b) => a.index - b.index);
  return (
    <div className="rejected" data-testid={testId}>
      <h3>{t("send.rejected", { n: rejected.length.toLocaleString(locale) })}</h3>
      <ul className="reasons">
        {byReason(ordered).map(([code, n]) => (
          <li key={code} className="badge bad" data-reason={code}>
            {reasonName(code)} {n.toLocaleString(locale)}
          </li>
        ))}
      </ul>
      <ul className="excluded-list">
        {ordered.slice(0, LISTED).map((r) => (
          <li key={`${r.index}-${r.to}-${r.code}`} data-code={r.code}>
            <span className="muted">{where(r)}</span> · {formatPhone(r.to)} —{" "}
            {detailText(t, { code: r.code, message: r.message })}
          </li>
        ))}
      </ul>
      {rest > 0 ? (
        <p className="small muted">{t("send.rejectedMore", { n: rest.toLocaleString(locale) })}</p>
      ) : null}
    </div>
  );
}
