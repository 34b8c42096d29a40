// The people of the organization: invite or add one (the invitation token
// is shown once), change a role, disable or remove someone.
import { type FormEvent, useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Role, User } from "../api/types.ts";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { PageHeader, Panel } from "../components/panel.tsx";
import { OneTimeSecret } from "../components/secret.tsx";
import { StatusBadge } from "../components/status.tsx";
import { formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";

const ROLES: Role[] = ["viewer", "operator", "admin", "owner"];
const FIELDS = ["email", "name", "role", "password"];

function NewUser({ onCreated }: { onCreated(user: User & { inviteToken?: string }): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await unwrap(
        api.POST("/v1/users", {
          body: { email: email.trim(), name: name.trim(), role, ...(password ? { password } : {}) },
        }),
      );
      setEmail("");
      setName("");
      setPassword("");
      onCreated(user);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-2">
        <Field id="user-email" label={t("user.email")} name="email" error={error}>
          <input
            id="user-email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field id="user-name" label={t("user.name")} name="name" error={error}>
          <input id="user-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="user-role" label={t("user.role")} name="role" error={error}>
          <select id="user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="user-password"
          label={t("user.password")}
          name="password"
          error={error}
          hint={t("user.passwordHint")}
        >
          <input
            id="user-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
      </div>
      <Button type="submit" kind="primary" busy={busy} disabled={!email.trim() || !name.trim()}>
        {password ? t("user.add") : t("user.invite")}
      </Button>
    </form>
  );
}

export function UsersScreen() {
  const { t, locale } = useI18n();
  const { api, acting, user: me } = useSession();
  const users = usePaged(acting.id, (cursor) =>
    unwrap(api.GET("/v1/users", { params: { query: { limit: 50, cursor } } })),
  );
  const [invite, setInvite] = useState<{ email: string; token: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      users.reload();
    } catch (err) {
      setError(err);
    }
  };
  const update = (u: User, body: { role?: Role; status?: "active" | "disabled" }) =>
    act(() => unwrap(api.PATCH("/v1/users/{id}", { params: { path: { id: u.id } }, body })));
  const remove = (u: User) => {
    if (!window.confirm(t("user.deleteConfirm", { email: u.email }))) return;
    void act(() => unwrap(api.DELETE("/v1/users/{id}", { params: { path: { id: u.id } } })));
  };

  return (
    <>
      <PageHeader title={t("users.title")} />
      <Panel title={t("users.new")}>
        {invite ? (
          <OneTimeSecret
            title={t("user.inviteToken", { email: invite.email })}
            value={invite.token}
            testId="invite-token"
            onDismiss={() => setInvite(null)}
          />
        ) : null}
        <NewUser
          onCreated={(u) => {
            if (u.inviteToken) setInvite({ email: u.email, token: u.inviteToken });
            users.reload();
          }}
        />
      </Panel>
      <Panel title={t("users.list")}>
        <ErrorBanner error={users.error ?? error} />
        <div className="table-wrap">
          <table className="table" data-testid="users">
            <thead>
              <tr>
                <th>{t("user.email")}</th>
                <th className="hide-sm">{t("user.name")}</th>
                <th>{t("user.role")}</th>
                <th>{t("user.status")}</th>
                <th className="hide-sm">{t("user.createdAt")}</th>
                <th>
                  <span className="sr-only">{t("common.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(users.data?.data ?? []).map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td className="hide-sm">{u.name}</td>
                  <td>
                    <select
                      aria-label={t("user.role")}
                      value={u.role}
                      disabled={u.id === me.id}
                      onChange={(e) => void update(u, { role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`role.${r}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <StatusBadge status={u.status} />
                  </td>
                  <td className="hide-sm">{formatTime(u.createdAt, locale, acting.timezone)}</td>
                  <td className="actions">
                    {u.id === me.id ? null : (
                      <>
                        <Button
                          small
                          onClick={() =>
                            void update(u, {
                              status: u.status === "disabled" ? "active" : "disabled",
                            })
                          }
                        >
                          {u.status === "disabled" ? t("user.enable") : t("user.disable")}
                        </Button>
                        <Button small kind="danger" onClick={() => remove(u)}>
                          {t("common.delete")}
                        </Button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pager paged={users} />
      </Panel>
    </>
  );
}
