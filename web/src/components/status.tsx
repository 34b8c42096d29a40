// Status badges for campaigns, messages, organizations, users, vendor accounts, imports and templates.
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
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useI18n();
  const key = `status.${status}` as MessageKey;
  const text = t(key);
  return (
    <span className={`badge ${TONE[status] ?? "muted"}`} data-testid={testId} data-status={status}>
      {text === key ? status : text}
    </span>
  );
}
