// What a parent does for an organization below it: creating its child,
// moving credits to it, its markup over the parent's prices, its wallet.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import { CHILD_KINDS, type Org, type WalletMode } from "../api/types.ts";
import { formatCredits } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Button, ErrorBanner, Field } from "./form.tsx";

/** Runs a form's call: busy while it runs, its error, and a note when it is done. */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (work: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await work());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run };
}

export function ChildForm({ parent, onCreated }: { parent: Org; onCreated(child: Org): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const kinds = CHILD_KINDS[parent.kind];
  const [name, setName] = useState("");
  const [kind, setKind] = useState(kinds[0] ?? "branch");
  const [timeZone, setTimeZone] = useState(parent.timezone);
  const submit = useSubmit();
  if (kinds.length === 0) return <p className="muted">{t("org.noChildren")}</p>;
  const create = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      const child = await unwrap(
        api.POST("/v1/orgs", { body: { name: name.trim(), kind, parentId: parent.id, timeZone } }),
      );
      setName("");
      onCreated(child);
      return t("org.created", { name: child.name });
    });
  };
  const fields = ["name", "kind", "timeZone", "parentId"];
  return (
    <form onSubmit={create} className="stack" data-testid="child-form">
      <ErrorBanner error={submit.error} fields={fields} />
      <Field id="child-name" label={t("org.name")} name="name" error={submit.error}>
        <input id="child-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </Field>
      <div className="row wrap">
        <Field id="child-kind" label={t("org.kind")} name="kind" error={submit.error}>
          <select
            id="child-kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as typeof kind)}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="child-tz" label={t("org.timeZone")} name="timeZone" error={submit.error}>
          <input id="child-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
        </Field>
      </div>
      <Button type="submit" kind="primary" busy={submit.busy} disabled={!name.trim()}>
        {t("org.createChild")}
      </Button>
      {submit.done ? (
        <p className="text-good" role="status">
          {submit.done}
        </p>
      ) : null}
    </form>
  );
}

export function TransferForm({ to, onDone }: { to: Org; onDone(): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [amount, setAmount] = useState("");
  const [memo, setMemo] = useState("");
  const submit = useSubmit();
  const send = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      const moved = await unwrap(
        api.POST("/v1/credits/transfers", {
          body: {
            toOrgId: to.id,
            amount: amount.trim().replaceAll(",", ""),
            ...(memo.trim() ? { memo: memo.trim() } : {}),
          },
        }),
      );
      setAmount("");
      setMemo("");
      onDone();
      return t("transfer.done", { amount: formatCredits(moved.amount), name: to.name });
    });
  };
  return (
    <form onSubmit={send} className="stack" data-testid="transfer-form">
      <ErrorBanner error={submit.error} fields={["amount", "memo", "toOrgId"]} />
      <div className="row wrap">
        <Field id="transfer-amount" label={t("transfer.amount")} name="amount" error={submit.error}>
          <input
            id="transfer-amount"
            inputMode="decimal"
            placeholder="1000.00"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </Field>
        <Field id="transfer-memo" label={t("transfer.memo")} name="memo" error={submit.error}>
          <input id="transfer-memo" value={memo} onChange={(e) => setMemo(e.target.value)} />
        </Field>
      </div>
      <Button type="submit" kind="primary" busy={submit.busy} disabled={!amount.trim()}>
        {t("transfer.submit")}
      </Button>
      {submit.done ? (
        <p className="text-good" role="status">
          {submit.done}
        </p>
      ) : null}
    </form>
  );
}

export function MarkupForm({
  org,
  current,
  onDone,
}: {
  org: Org;
  current: string;
  onDone(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [markup, setMarkup] = useState(current);
  const submit = useSubmit();
  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      await unwrap(
        api.PUT("/v1/orgs/{id}/pricing", {
          params: { path: { id: org.id } },
          body: { markupPercent: markup.trim() },
        }),
      );
      onDone();
      return t("markup.saved", { n: markup });
    });
  };
  return (
    <form onSubmit={save} className="row wrap end">
      <Field
        id="markup"
        label={t("markup.percent")}
        name="markupPercent"
        error={submit.error}
        hint={t("markup.hint")}
      >
        <input
          id="markup"
          type="number"
          min={0}
          max={1000}
          step={0.01}
          value={markup}
          onChange={(e) => setMarkup(e.target.value)}
        />
      </Field>
      <Button type="submit" busy={submit.busy} disabled={markup === ""}>
        {t("common.save")}
      </Button>
      <ErrorBanner error={submit.error} fields={["markupPercent"]} />
      {submit.done ? (
        <p className="text-good" role="status">
          {submit.done}
        </p>
      ) : null}
    </form>
  );
}

export function WalletForm({
  org,
  spendsFrom,
  onDone,
}: {
  org: Org;
  /** The ancestor whose wallet it spends now, when not its own. */
  spendsFrom: string | undefined;
  onDone(): void;
}) {
  const { t } = useI18n();
  const { api } = useSession();
  const [mode, setMode] = useState<WalletMode>(org.walletMode);
  const submit = useSubmit();
  const save = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      await unwrap(
        api.PUT("/v1/orgs/{id}/wallet", { params: { path: { id: org.id } }, body: { mode } }),
      );
      onDone();
      return t("wallet.saved");
    });
  };
  return (
    <form onSubmit={save} className="stack">
      <p className="muted small">{t("wallet.hint")}</p>
      <div className="row wrap end">
        <Field id="wallet-mode" label={t("wallet.mode")} name="mode" error={submit.error}>
          <select
            id="wallet-mode"
            value={mode}
            onChange={(e) => setMode(e.target.value as WalletMode)}
          >
            <option value="own">{t("wallet.own")}</option>
            <option value="parent">{t("wallet.parent")}</option>
          </select>
        </Field>
        <Button type="submit" busy={submit.busy} disabled={mode === org.walletMode}>
          {t("common.save")}
        </Button>
      </div>
      {spendsFrom ? <p className="small">{t("wallet.spendsFrom", { name: spendsFrom })}</p> : null}
      <ErrorBanner error={submit.error} fields={["mode"]} />
      {submit.done ? (
        <p className="text-good" role="status">
          {submit.done}
        </p>
      ) : null}
    </form>
  );
}
