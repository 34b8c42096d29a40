// Vendor accounts: connect one, run its connection test, disable or delete it.
import { useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { VendorAccount, VendorTest } from "../api/types.ts";
import { Button, ErrorBanner } from "../components/form.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { OneTimeSecret } from "../components/secret.tsx";
import { StatusBadge } from "../components/status.tsx";
import { VendorForm } from "../components/vendor-form.tsx";
import { formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useLoad } from "../use-load.ts";

function TestResult({ result }: { result: VendorTest | "running" | undefined }) {
  const { t } = useI18n();
  if (result === undefined) return null;
  if (result === "running") return <span className="muted small">{t("vendor.testing")}</span>;
  return (
    <span
      className={result.ok ? "text-good small" : "text-bad small"}
      data-testid="vendor-test"
      data-ok={result.ok}
    >
      {result.ok ? t("vendor.testPassed", { ms: result.latencyMs }) : t("vendor.testFailed")} ·{" "}
      {result.message}
    </span>
  );
}

export function VendorsScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const accounts = useLoad(acting.id, () => unwrap(api.GET("/v1/vendor-accounts")));
  const [tests, setTests] = useState<Record<string, VendorTest | "running">>({});
  const [signature, setSignature] = useState<{ name: string; value: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const test = async (id: string) => {
    setTests((all) => ({ ...all, [id]: "running" }));
    try {
      const result = await unwrap(
        api.POST("/v1/vendor-accounts/{id}/test", { params: { path: { id } } }),
      );
      setTests((all) => ({ ...all, [id]: result }));
    } catch (err) {
      setTests(({ [id]: _, ...rest }) => rest);
      setError(err);
    }
    accounts.reload();
  };
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      accounts.reload();
    } catch (err) {
      setError(err);
    }
  };
  const toggle = (a: VendorAccount) =>
    act(() =>
      unwrap(
        api.PATCH("/v1/vendor-accounts/{id}", {
          params: { path: { id: a.id } },
          body: { version: a.version, status: a.status === "active" ? "disabled" : "active" },
        }),
      ),
    );
  const remove = (a: VendorAccount) => {
    if (!window.confirm(t("vendor.deleteConfirm", { name: a.name }))) return;
    void act(() =>
      unwrap(api.DELETE("/v1/vendor-accounts/{id}", { params: { path: { id: a.id } } })),
    );
  };

  const list = accounts.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("vendors.title")} />
      <Panel title={t("vendors.new")}>
        {signature ? (
          <OneTimeSecret
            title={t("vendor.signature", { name: signature.name })}
            value={signature.value}
            onDismiss={() => setSignature(null)}
          />
        ) : null}
        <VendorForm
          onCreated={(account) => {
            if (account.webhookSignature)
              setSignature({ name: account.name, value: account.webhookSignature });
            accounts.reload();
            void test(account.id);
          }}
        />
      </Panel>
      <Panel title={t("vendors.list")}>
        <ErrorBanner error={accounts.error ?? error} />
        {accounts.data && list.length === 0 ? <Empty>{t("vendors.none")}</Empty> : null}
        <ul className="cards">
          {list.map((a) => (
            <li key={a.id} className="card" data-vendor-account={a.id}>
              <div className="card-head">
                <div>
                  <strong className="vendor-name">{a.name}</strong>
                  <div className="muted small">
                    {t(`vendor.${a.vendor}` as MessageKey)} · <code>{a.id}</code>
                  </div>
                </div>
                <StatusBadge status={a.status} />
              </div>
              <dl className="kv small">
                <dt>{t("vendor.credentials")}</dt>
                <dd>
                  {Object.entries(a.credentials)
                    .map(([key, value]) => `${key} ${value}`)
                    .join(" · ") || "–"}
                </dd>
                <dt>{t("vendor.lastTested")}</dt>
                <dd>{formatTime(a.lastTestedAt, locale, acting.timezone)}</dd>
                <dt>{t("vendor.webhookUrl")}</dt>
                <dd className="break">{a.webhookUrl ?? t("vendor.noWebhook")}</dd>
              </dl>
              <div className="row wrap">
                <Button
                  small
                  kind="primary"
                  busy={tests[a.id] === "running"}
                  onClick={() => void test(a.id)}
                >
                  {t("vendor.test")}
                </Button>
                <Button small onClick={() => void toggle(a)}>
                  {a.status === "active" ? t("user.disable") : t("user.enable")}
                </Button>
                <Button small kind="danger" onClick={() => remove(a)}>
                  {t("common.delete")}
                </Button>
                <TestResult result={tests[a.id]} />
              </div>
            </li>
          ))}
        </ul>
      </Panel>
    </>
  );
}
