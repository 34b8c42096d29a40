// Routing: which vendor account sends each channel, and where each part
// comes from (this organization, an ancestor, or the platform default).
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Routing, RoutingBody, VendorAccount } from "../api/types.ts";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { PageHeader, Panel } from "../components/panel.tsx";
import { useI18n } from "../i18n.tsx";
import { useLoad } from "../use-load.ts";

const CHANNELS = ["alimtalk", "sms"] as const;
type Channel = (typeof CHANNELS)[number];
type Choice = { primary: string; secondary: string };

function Source({ source }: { source: Routing[Channel]["source"] }) {
  const { t } = useI18n();
  if (source.kind === "own") return <span className="badge good">{t("routing.own")}</span>;
  if (source.kind === "inherited") {
    return (
      <span className="badge info">
        {t("routing.inherited")} <code>{source.fromOrgId}</code>
      </span>
    );
  }
  return <span className="badge muted">{t("routing.platformDefault")}</span>;
}

function RoutingForm({
  routing,
  accounts,
  onSaved,
}: {
  routing: Routing;
  accounts: VendorAccount[];
  onSaved(routing: Routing): void;
}) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const initial = (channel: Channel): Choice => {
    const part = routing[channel];
    const own = part.source.kind === "own";
    return {
      primary: own ? (part.primary?.id ?? "") : "",
      secondary: own ? (part.secondary?.id ?? "") : "",
    };
  };
  const [choice, setChoice] = useState<Record<Channel, Choice>>({
    alimtalk: initial("alimtalk"),
    sms: initial("sms"),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const active = accounts.filter((a) => a.status === "active");
  const set = (channel: Channel, part: keyof Choice, value: string) =>
    setChoice((c) => ({ ...c, [channel]: { ...c[channel], [part]: value } }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const body: RoutingBody = {};
    for (const channel of CHANNELS) {
      const { primary, secondary } = choice[channel];
      if (primary) body[channel] = { primary, secondary: secondary || null };
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(
        await unwrap(
          api.PUT("/v1/orgs/{id}/routing", { params: { path: { id: acting.id } }, body }),
        ),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} className="stack">
      <ErrorBanner error={error} fields={[...CHANNELS]} />
      <div className="grid-2">
        {CHANNELS.map((channel) => (
          <fieldset key={channel} className="field">
            <legend>{t(channel === "alimtalk" ? "routing.alimtalk" : "routing.sms")}</legend>
            {(["primary", "secondary"] as const).map((part) => (
              <Field
                key={part}
                id={`routing-${channel}-${part}`}
                label={t(part === "primary" ? "routing.primary" : "routing.secondary")}
                name={channel}
                error={part === "primary" ? error : undefined}
              >
                <select
                  id={`routing-${channel}-${part}`}
                  value={choice[channel][part]}
                  disabled={part === "secondary" && !choice[channel].primary}
                  onChange={(e) => set(channel, part, e.target.value)}
                >
                  <option value="">
                    {part === "primary" ? t("routing.inherit") : t("routing.none")}
                  </option>
                  {active.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name} ({a.vendor})
                    </option>
                  ))}
                </select>
              </Field>
            ))}
          </fieldset>
        ))}
      </div>
      <Button type="submit" kind="primary" busy={busy}>
        {t("common.save")}
      </Button>
    </form>
  );
}

export function RoutingScreen() {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const routing = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/orgs/{id}/routing", { params: { path: { id: acting.id } } })),
  );
  const accounts = useLoad(acting.id, () => unwrap(api.GET("/v1/vendor-accounts")));
  const [saved, setSaved] = useState<Routing | null>(null);
  const shown = saved ?? routing.data;
  return (
    <>
      <PageHeader title={t("routing.title")} />
      <ErrorBanner error={routing.error ?? accounts.error} />
      {shown ? (
        <Panel title={t("routing.effective")}>
          <div className="table-wrap">
            <table className="table" data-testid="routing">
              <thead>
                <tr>
                  <th>{t("routing.channel")}</th>
                  <th>{t("routing.primary")}</th>
                  <th>{t("routing.secondary")}</th>
                  <th>{t("routing.source")}</th>
                </tr>
              </thead>
              <tbody>
                {CHANNELS.map((channel) => {
                  const part = shown[channel];
                  return (
                    <tr key={channel}>
                      <td>{t(channel === "alimtalk" ? "routing.alimtalk" : "routing.sms")}</td>
                      <td>
                        {part.primary ? `${part.primary.name} (${part.primary.vendor})` : "–"}
                      </td>
                      <td>
                        {part.secondary ? `${part.secondary.name} (${part.secondary.vendor})` : "–"}
                      </td>
                      <td>
                        <Source source={part.source} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Panel>
      ) : null}
      {shown && accounts.data ? (
        <Panel title={t("routing.edit")}>
          <p className="muted small">{t("routing.editHint")}</p>
          <RoutingForm
            key={JSON.stringify(shown)}
            routing={shown}
            accounts={accounts.data.data}
            onSaved={setSaved}
          />
        </Panel>
      ) : null}
    </>
  );
}
