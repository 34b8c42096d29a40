// One organization of the tree: its credits and prices, and what the
// organization the console acts as may do for it.
import { useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Org, OrgPricing } from "../api/types.ts";
import { formatCredits, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { navigate } from "../router.tsx";
import { useLoad } from "../use-load.ts";
import { Button, ErrorBanner } from "./form.tsx";
import { ChildForm, MarkupForm, TransferForm, WalletForm } from "./org-forms.tsx";
import { Panel, Stat } from "./panel.tsx";
import { StatusBadge } from "./status.tsx";

const PRICE_TYPES = ["alimtalk", "sms", "lms", "mms"] as const;

/** How the organization's prices were made: from the headquarters' plan down, each markup on the way. */
function Pricing({ pricing }: { pricing: OrgPricing }) {
  const { t } = useI18n();
  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="table compact" data-testid="pricing">
          <thead>
            <tr>
              <th>{t("org.name")}</th>
              <th className="num">{t("markup.short")}</th>
              {PRICE_TYPES.map((type) => (
                <th key={type} className="num">
                  {t(`type.${type}` as MessageKey)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {pricing.chain.map((level) => (
              <tr key={level.orgId}>
                <td>
                  {level.name}
                  <div className="muted small">
                    {level.plan
                      ? t("pricing.plan", { name: level.plan.name })
                      : t(`kind.${level.kind}` as MessageKey)}
                  </div>
                </td>
                <td className="num">{level.plan ? "–" : `+${level.markupPercent}%`}</td>
                {PRICE_TYPES.map((type) => (
                  <td key={type} className="num">
                    {formatCredits(level.prices[type])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        {t("pricing.own", {
          prices: PRICE_TYPES.map(
            (type) =>
              `${t(`type.${type}` as MessageKey)} ${formatCredits(pricing.ownPrices[type])}`,
          ).join(" · "),
        })}
      </p>
    </div>
  );
}

export function OrgPanel({
  org,
  onCreated,
  onChanged,
}: {
  org: Org;
  onCreated(child: Org): void;
  onChanged(): void;
}) {
  const { t, locale } = useI18n();
  const { api, acting, actAs } = useSession();
  const self = org.id === acting.id;
  const credits = useLoad(org.id, () =>
    unwrap(api.GET("/v1/credits", { params: { query: self ? {} : { orgId: org.id } } })),
  );
  const pricing = useLoad(org.id, () =>
    unwrap(api.GET("/v1/orgs/{id}/pricing", { params: { path: { id: org.id } } })),
  );
  const [statusError, setStatusError] = useState<unknown>(null);
  const [statusBusy, setStatusBusy] = useState(false);
  const toggleStatus = async () => {
    const next = org.status === "active" ? "suspended" : "active";
    if (next === "suspended" && !window.confirm(t("org.suspendConfirm", { name: org.name })))
      return;
    setStatusBusy(true);
    setStatusError(null);
    try {
      await unwrap(
        api.PATCH("/v1/orgs/{id}", { params: { path: { id: org.id } }, body: { status: next } }),
      );
      onChanged();
    } catch (err) {
      setStatusError(err);
    } finally {
      setStatusBusy(false);
    }
  };

  return (
    <div className="stack" data-testid="org-panel">
      <Panel
        title={org.name}
        actions={
          self ? null : (
            <Button
              kind="primary"
              small
              onClick={() => {
                actAs(org);
                navigate("/");
              }}
            >
              {t("org.actAs")}
            </Button>
          )
        }
      >
        <div className="campaign-head">
          <span className="badge muted">{t(`kind.${org.kind}` as MessageKey)}</span>
          <StatusBadge status={org.status} />
          <code className="small">{org.id}</code>
          <span className="muted small">{org.timezone}</span>
          <span className="muted small">{formatTime(org.createdAt, locale, org.timezone)}</span>
        </div>
        <ErrorBanner error={credits.error ?? statusError} />
        <div className="stats">
          <Stat
            id="org-available"
            label={t("credits.available")}
            value={formatCredits(credits.data?.available)}
          />
          <Stat
            id="org-balance"
            label={t("credits.balance")}
            value={formatCredits(credits.data?.balance)}
          />
          <Stat id="org-held" label={t("credits.held")} value={formatCredits(credits.data?.held)} />
        </div>
        {self ? null : (
          <Button
            small
            kind={org.status === "active" ? "danger" : "secondary"}
            busy={statusBusy}
            onClick={toggleStatus}
          >
            {org.status === "active" ? t("org.suspend") : t("org.activate")}
          </Button>
        )}
      </Panel>
      {self ? null : (
        <Panel title={t("transfer.title", { name: org.name })}>
          <TransferForm to={org} onDone={credits.reload} />
        </Panel>
      )}
      <Panel title={t("pricing.title")}>
        <ErrorBanner error={pricing.error} />
        {pricing.data ? <Pricing pricing={pricing.data} /> : null}
        {self ? null : (
          <MarkupForm
            key={String(pricing.data?.markupPercent ?? org.markupPercent)}
            org={org}
            current={String(pricing.data?.markupPercent ?? org.markupPercent)}
            onDone={() => {
              pricing.reload();
              onChanged();
            }}
          />
        )}
      </Panel>
      {self ? null : (
        <Panel title={t("wallet.title")}>
          <WalletForm
            org={org}
            spendsFrom={
              pricing.data && pricing.data.walletOrgId !== org.id
                ? (pricing.data.chain.find((l) => l.orgId === pricing.data?.walletOrgId)?.name ??
                  pricing.data.walletOrgId)
                : undefined
            }
            onDone={() => {
              pricing.reload();
              onChanged();
            }}
          />
        </Panel>
      )}
      <Panel title={t("org.newChild", { name: org.name })}>
        <ChildForm parent={org} onCreated={onCreated} />
      </Panel>
    </div>
  );
}
