// Status badges for campaigns, messages, organizations, users, vendor accounts, imports,
// templates, schedules and their runs, room posts and webhook deliveries.
import { type MessageKey, useI18n } from "../i18n.tsx";

const TONE: Record<string, string> = {
  completed: "good",
  delivered: "good",
  active: "good",
  verified: "good",
  approved: "good",
  sending: "busy",
  sent: "busy",
  queued: "busy",
  accepted: "busy",
  scheduled: "info",
  draft: "info",
  invited: "info",
  pending: "info",
  ready: "info",
  parsing: "busy",
  committing: "busy",
  requested: "busy",
  inspecting: "busy",
  failed: "bad",
  rejected: "bad",
  expired: "bad",
  suspended: "bad",
  disabled: "bad",
  canceled: "muted",
  discarded: "muted",
  posted: "good",
  success: "good",
  reserved: "busy",
  running: "busy",
  partial: "bad",
  error: "bad",
  rate_limited: "bad",
  inactive: "muted",
  skipped: "muted",
};

/** A run's or a room post's status is named with its kind (`run_success`); its tone is the status's. */
const toneOf = (status: string) =>
  TONE[status] ?? TONE[status.replace(/^(run|room)_/, "")] ?? "muted";

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  const text = t(key);
  return (
    <span className={`badge ${toneOf(status)}`} data-testid={testId} data-status={status}>
      {text === key ? status : text}
    </span>
  );
}
