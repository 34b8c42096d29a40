// Chat rooms: add one on a gateway, change its name, chat id or mode (live or
// test), delete it, see its recent posts; and the organization's room limits.
import { type FormEvent, useState } from "react";
import type { operations } from "../../../sdk/index.ts";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { formatCredits, formatTime } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";
import { useLoad } from "../use-load.ts";
import type { BotGateway } from "./bot-gateways.tsx";

type Room = operations["getRoom"]["responses"][200]["content"]["application/json"];
type Mode = Room["mode"];

const FIELDS = ["name", "gatewayId", "externalId", "mode"];

function NewRoom({ gateways, onCreated }: { gateways: BotGateway[]; onCreated(): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState("");
  const [gatewayId, setGatewayId] = useState("");
  const [externalId, setExternalId] = useState("");
  const [mode, setMode] = useState<Mode>("live");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const chosen = gatewayId || gateways[0]?.id || "";
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.POST("/v1/rooms", {
          body: { name: name.trim(), gatewayId: chosen, externalId: externalId.trim(), mode },
        }),
      );
      setName("");
      setExternalId("");
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (gateways.length === 0) {
    return (
      <p className="muted">
        {t("rooms.noGateway")} <Link to="/bot-gateways">{t("nav.botGateways")}</Link>
      </p>
    );
  }
  return (
    <form onSubmit={submit} className="stack" data-testid="room-form">
      <ErrorBanner error={error} fields={FIELDS} />
      <div className="grid-2">
        <Field id="room-name" label={t("room.name")} name="name" error={error}>
          <input id="room-name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="room-gateway" label={t("room.gateway")} name="gatewayId" error={error}>
          <select id="room-gateway" value={chosen} onChange={(e) => setGatewayId(e.target.value)}>
            {gateways.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="room-external"
          label={t("room.externalId")}
          name="externalId"
          error={error}
          hint={t("room.externalHint")}
        >
          <input
            id="room-external"
            value={externalId}
            onChange={(e) => setExternalId(e.target.value)}
          />
        </Field>
        <Field
          id="room-mode"
          label={t("room.mode")}
          name="mode"
          error={error}
          hint={t("room.modeHint")}
        >
          <select id="room-mode" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="live">{t("room.modeLive")}</option>
            <option value="test">{t("room.modeTest")}</option>
          </select>
        </Field>
      </div>
      <Button
        type="submit"
        kind="primary"
        busy={busy}
        disabled={!name.trim() || !externalId.trim() || !chosen}
      >
        {t("room.create")}
      </Button>
    </form>
  );
}

function EditRoom({ room, onDone }: { room: Room; onDone(saved: boolean): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [name, setName] = useState(room.name);
  const [externalId, setExternalId] = useState(room.externalId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.PATCH("/v1/rooms/{id}", {
          params: { path: { id: room.id } },
          body: { name: name.trim(), externalId: externalId.trim() },
        }),
      );
      onDone(true);
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
        <Field id={`room-name-${room.id}`} label={t("room.name")} name="name" error={error}>
          <input
            id={`room-name-${room.id}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field
          id={`room-ext-${room.id}`}
          label={t("room.externalId")}
          name="externalId"
          error={error}
        >
          <input
            id={`room-ext-${room.id}`}
            value={externalId}
            onChange={(e) => setExternalId(e.target.value)}
          />
        </Field>
      </div>
      <div className="row">
        <Button type="submit" small kind="primary" busy={busy} disabled={!name.trim()}>
          {t("common.save")}
        </Button>
        <Button small kind="ghost" onClick={() => onDone(false)}>
          {t("gateway.cancel")}
        </Button>
      </div>
    </form>
  );
}

function RecentPosts({ roomId }: { roomId: string }) {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const posts = usePaged(`${acting.id}:${roomId}`, (cursor) =>
    unwrap(
      api.GET("/v1/rooms/{id}/posts", {
        params: { path: { id: roomId }, query: { limit: 20, cursor } },
      }),
    ),
  );
  const list = posts.data?.data ?? [];
  return (
    <div className="stack" data-testid="room-posts">
      <ErrorBanner error={posts.error} />
      {posts.data && list.length === 0 ? <Empty>{t("room.noPosts")}</Empty> : null}
      {list.length > 0 ? (
        <div className="table-wrap">
          <table className="table small">
            <thead>
              <tr>
                <th>{t("room.postSlot")}</th>
                <th>{t("room.postKind")}</th>
                <th>{t("room.postStatus")}</th>
                <th className="hide-sm">{t("room.postCharged")}</th>
                <th className="hide-sm">{t("room.postError")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id} data-post-status={p.status}>
                  <td>{formatTime(p.slotAt ?? p.createdAt, locale, acting.timezone)}</td>
                  <td>
                    {t(p.kind === "text" ? "room.kindText" : "room.kindImage")}
                    {p.test ? <span className="badge info">{t("room.modeTest")}</span> : null}
                  </td>
                  <td>
                    <StatusBadge status={`room_${p.status}`} />
                  </td>
                  <td className="hide-sm">{formatCredits(p.charged)}</td>
                  <td className="hide-sm">
                    {p.error ? `${p.error.code}: ${p.error.message}` : "–"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager paged={posts} />
    </div>
  );
}

function RoomLimits() {
  const { t } = useI18n();
  const { api, acting, role } = useSession();
  const limits = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/orgs/{id}/room-limits", { params: { path: { id: acting.id } } })),
  );
  const [intervalText, setIntervalText] = useState("");
  const [daily, setDaily] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const canManage = role === "owner" || role === "admin";
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(
        api.PUT("/v1/orgs/{id}/room-limits", {
          params: { path: { id: acting.id } },
          body: {
            minIntervalSeconds: Number(intervalText || limits.data?.effective.minIntervalSeconds),
            dailyLimit: Number(daily || limits.data?.effective.dailyLimit),
          },
        }),
      );
      setIntervalText("");
      setDaily("");
      limits.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const effective = limits.data?.effective;
  return (
    <div className="stack">
      <ErrorBanner error={limits.error ?? error} fields={["minIntervalSeconds", "dailyLimit"]} />
      {effective ? (
        <p data-testid="room-limits">
          {t("limits.effective", {
            seconds: effective.minIntervalSeconds,
            daily: effective.dailyLimit,
          })}
        </p>
      ) : null}
      {canManage ? (
        <form onSubmit={submit} className="grid-2">
          <Field
            id="limit-interval"
            label={t("limits.interval")}
            name="minIntervalSeconds"
            error={error}
            hint={t("limits.intervalHint")}
          >
            <input
              id="limit-interval"
              type="number"
              min={30}
              value={intervalText}
              placeholder={String(effective?.minIntervalSeconds ?? 30)}
              onChange={(e) => setIntervalText(e.target.value)}
            />
          </Field>
          <Field
            id="limit-daily"
            label={t("limits.daily")}
            name="dailyLimit"
            error={error}
            hint={t("limits.dailyHint")}
          >
            <input
              id="limit-daily"
              type="number"
              min={1}
              max={50}
              value={daily}
              placeholder={String(effective?.dailyLimit ?? 50)}
              onChange={(e) => setDaily(e.target.value)}
            />
          </Field>
          <div>
            <Button
              type="submit"
              small
              kind="primary"
              busy={busy}
              disabled={!intervalText && !daily}
            >
              {t("common.save")}
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

export function RoomsScreen() {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const gateways = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/bot-gateways", { params: { query: { limit: 200 } } })),
  );
  const rooms = usePaged(acting.id, (cursor) =>
    unwrap(api.GET("/v1/rooms", { params: { query: { limit: 50, cursor } } })),
  );
  const [editing, setEditing] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      rooms.reload();
    } catch (err) {
      setError(err);
    }
  };
  const switchMode = (r: Room) =>
    act(() =>
      unwrap(
        api.PATCH("/v1/rooms/{id}", {
          params: { path: { id: r.id } },
          body: { mode: r.mode === "live" ? "test" : "live" },
        }),
      ),
    );
  const remove = (r: Room) => {
    if (!window.confirm(t("room.deleteConfirm", { name: r.name }))) return;
    void act(() => unwrap(api.DELETE("/v1/rooms/{id}", { params: { path: { id: r.id } } })));
  };
  const gatewayList = gateways.data?.data ?? [];
  const gatewayName = (id: string) => gatewayList.find((g) => g.id === id)?.name ?? id;
  const list = rooms.data?.data ?? [];
  return (
    <>
      <PageHeader title={t("rooms.title")} />
      <Panel title={t("rooms.new")}>
        <ErrorBanner error={gateways.error} />
        {gateways.data ? <NewRoom gateways={gatewayList} onCreated={rooms.reload} /> : null}
      </Panel>
      <Panel title={t("rooms.list")}>
        <ErrorBanner error={rooms.error ?? error} />
        {rooms.data && list.length === 0 ? <Empty>{t("rooms.none")}</Empty> : null}
        <ul className="cards">
          {list.map((r) => (
            <li key={r.id} className="card" data-room={r.id}>
              <div className="card-head">
                <div>
                  <strong>{r.name}</strong>
                  <div className="muted small">
                    {gatewayName(r.gatewayId)} · <code>{r.externalId}</code>
                  </div>
                </div>
                <span className={`badge ${r.mode === "live" ? "good" : "info"}`} data-mode={r.mode}>
                  {t(`room.mode${r.mode === "live" ? "Live" : "Test"}` as MessageKey)}
                </span>
              </div>
              {editing === r.id ? (
                <EditRoom
                  room={r}
                  onDone={(saved) => {
                    setEditing(null);
                    if (saved) rooms.reload();
                  }}
                />
              ) : (
                <div className="row wrap">
                  <Button small onClick={() => setOpen(open === r.id ? null : r.id)}>
                    {open === r.id ? t("room.hidePosts") : t("room.showPosts")}
                  </Button>
                  <Button small onClick={() => setEditing(r.id)}>
                    {t("gateway.edit")}
                  </Button>
                  <Button small onClick={() => void switchMode(r)}>
                    {r.mode === "live" ? t("room.toTest") : t("room.toLive")}
                  </Button>
                  <Button small kind="danger" onClick={() => remove(r)}>
                    {t("common.delete")}
                  </Button>
                </div>
              )}
              {open === r.id ? <RecentPosts roomId={r.id} /> : null}
            </li>
          ))}
        </ul>
        <Pager paged={rooms} />
      </Panel>
      <Panel title={t("limits.title")}>
        <RoomLimits />
      </Panel>
    </>
  );
}
