// Schedules: the list (status, next run, last result) with switching on and
// off; the form (repeat, validity, holidays, missed runs, a message or room
// posts with images in order) with the next five runs previewed as it is
// filled in; and the run log with its filters.
import { type FormEvent, useEffect, useState } from "react";
import type { operations } from "../../../sdk/index.ts";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import { Button, ErrorBanner, Field } from "../components/form.tsx";
import { GroupPicker } from "../components/group-picker.tsx";
import { Pager, usePaged } from "../components/pager.tsx";
import { Empty, PageHeader, Panel } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { dayRange, formatTime, localInputToIso, randomKey } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { Link, navigate } from "../router.tsx";
import { buildSendBody, parseRecipients } from "../send-body.ts";
import { useLoad } from "../use-load.ts";

type Schedule = operations["getSchedule"]["responses"][200]["content"]["application/json"];
type ScheduleBody = NonNullable<
  operations["createSchedule"]["requestBody"]
>["content"]["application/json"];
type Repeat = ScheduleBody["repeat"];
type RunStatus = NonNullable<
  NonNullable<operations["listAllScheduleRuns"]["parameters"]["query"]>["status"]
>;
type Order = "text_first" | "images_first" | "images_only" | "text_only";

const KINDS: Repeat["kind"][] = ["once", "daily", "weekly", "monthly", "cron"];
const ORDERS: Order[] = ["text_first", "images_first", "images_only", "text_only"];
const RUN_STATUSES: RunStatus[] = ["running", "success", "partial", "failed", "skipped"];
const MAX_IMAGES = 10;
const FIELDS = [
  "title",
  "repeat",
  "timeZone",
  "validFrom",
  "validUntil",
  "skipHolidays",
  "graceMinutes",
  "target",
];

interface Image {
  id: string;
  name: string;
}

interface FormState {
  title: string;
  kind: Repeat["kind"];
  at: string;
  time: string;
  weekdays: number[];
  dayOfMonth: string;
  cron: string;
  timeZone: string;
  validFrom: string;
  validUntil: string;
  skipHolidays: boolean;
  missedRunPolicy: "catch_up" | "skip";
  graceMinutes: string;
  target: "message" | "rooms";
  // A message: as the send screen asks for it.
  mode: "template" | "text";
  templateCode: string;
  text: string;
  recipients: string;
  groupIds: string[];
  advertising: boolean;
  nightPolicy: "defer" | "reject";
  // Room posts.
  roomIds: string[];
  postText: string;
  images: Image[];
  order: Order;
  intervalSeconds: string;
}

const initial: FormState = {
  title: "",
  kind: "weekly",
  at: "",
  time: "09:00",
  weekdays: [1],
  dayOfMonth: "1",
  cron: "0 9 * * 1-5",
  timeZone: "Asia/Seoul",
  validFrom: "",
  validUntil: "",
  skipHolidays: false,
  missedRunPolicy: "catch_up",
  graceMinutes: "60",
  target: "message",
  mode: "text",
  templateCode: "",
  text: "",
  recipients: "",
  groupIds: [],
  advertising: false,
  nightPolicy: "defer",
  roomIds: [],
  postText: "",
  images: [],
  order: "text_first",
  intervalSeconds: "3",
};

function repeatOf(f: FormState): Repeat {
  switch (f.kind) {
    case "once":
      return { kind: "once", at: localInputToIso(f.at) ?? "" };
    case "daily":
      return { kind: "daily", time: f.time };
    case "weekly":
      return { kind: "weekly", time: f.time, weekdays: f.weekdays };
    case "monthly":
      return { kind: "monthly", time: f.time, dayOfMonth: Number(f.dayOfMonth) };
    case "cron":
      return { kind: "cron", cron: f.cron };
  }
}

function timingOf(f: FormState) {
  return {
    repeat: repeatOf(f),
    timeZone: f.timeZone,
    validFrom: localInputToIso(f.validFrom) ?? null,
    validUntil: localInputToIso(f.validUntil) ?? null,
    skipHolidays: f.skipHolidays,
  };
}

function bodyOf(f: FormState): ScheduleBody {
  const message = () => {
    const send = buildSendBody(
      {
        mode: f.mode,
        templateCode: f.templateCode,
        variables: {},
        strategy: "alimtalk_first",
        textType: "auto",
        text: f.text,
        subject: "",
        from: "",
        recipients: f.recipients,
        when: "now",
        sendAt: "",
        groupIds: f.groupIds,
        advertising: f.advertising,
        consentConfirmed: false,
        nightPolicy: f.nightPolicy,
        trackLinks: true,
      },
      parseRecipients(f.recipients),
    );
    const { sendAt: _never, ...rest } = send;
    return rest;
  };
  return {
    title: f.title.trim(),
    ...timingOf(f),
    missedRunPolicy: f.missedRunPolicy,
    graceMinutes: Number(f.graceMinutes || 0),
    target:
      f.target === "message"
        ? { kind: "message", message: message() }
        : {
            kind: "rooms",
            roomIds: f.roomIds,
            content: {
              text: f.order === "images_only" ? null : f.postText,
              imageIds: f.order === "text_only" ? [] : f.images.map((i) => i.id),
              order: f.order,
              intervalSeconds: Number(f.intervalSeconds || 0),
            },
          },
  };
}

/** The next five runs of the repeat as it stands, asked of the API as the form changes. */
function NextRuns({ form }: { form: FormState }) {
  const { t, locale } = useI18n();
  const { api } = useSession();
  const [runs, setRuns] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timing = JSON.stringify(timingOf(form));
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      unwrap(api.POST("/v1/schedules/preview", { body: JSON.parse(timing) })).then(
        (r) => {
          if (!live) return;
          setRuns(r.nextRuns);
          setError(null);
        },
        (err: unknown) => {
          if (!live) return;
          setRuns(null);
          setError(err);
        },
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, timing]);
  return (
    <div className="stack" data-testid="next-runs">
      <strong>{t("schedule.nextRuns")}</strong>
      <ErrorBanner error={error} />
      {runs && runs.length === 0 ? <Empty>{t("schedule.noRuns")}</Empty> : null}
      <ol>
        {(runs ?? []).map((at) => (
          <li key={at} data-run-at={at}>
            {formatTime(at, locale, form.timeZone)}
          </li>
        ))}
      </ol>
    </div>
  );
}

function RoomTarget({ form, set }: { form: FormState; set: (patch: Partial<FormState>) => void }) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const rooms = useLoad(acting.id, () =>
    unwrap(api.GET("/v1/rooms", { params: { query: { limit: 200 } } })),
  );
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const upload = async (files: FileList | null) => {
    if (!files) return;
    setUploading(true);
    setError(null);
    try {
      const added: Image[] = [];
      for (const file of [...files].slice(0, MAX_IMAGES - form.images.length)) {
        const body = new FormData();
        body.append("file", file, file.name);
        const made = await unwrap(
          api.POST("/v1/files", {
            body: { file: file.name } as never,
            bodySerializer: () => body,
            headers: { "idempotency-key": randomKey() },
          }),
        );
        added.push({ id: made.id, name: made.name });
      }
      set({ images: [...form.images, ...added] });
    } catch (err) {
      setError(err);
    } finally {
      setUploading(false);
    }
  };
  const move = (i: number, by: number) => {
    const images = [...form.images];
    const [image] = images.splice(i, 1);
    images.splice(i + by, 0, image!);
    set({ images });
  };
  const list = rooms.data?.data ?? [];
  return (
    <div className="stack" data-testid="rooms-target">
      <ErrorBanner error={rooms.error ?? error} />
      <fieldset>
        <legend>{t("schedule.rooms")}</legend>
        {rooms.data && list.length === 0 ? (
          <p className="muted">
            {t("schedule.noRooms")} <Link to="/rooms">{t("nav.rooms")}</Link>
          </p>
        ) : null}
        {list.map((r) => (
          <label key={r.id} className="check">
            <input
              type="checkbox"
              name="roomIds"
              value={r.id}
              checked={form.roomIds.includes(r.id)}
              onChange={(e) =>
                set({
                  roomIds: e.target.checked
                    ? [...form.roomIds, r.id]
                    : form.roomIds.filter((id) => id !== r.id),
                })
              }
            />
            {r.name}
          </label>
        ))}
      </fieldset>
      <div className="grid-2">
        <Field id="schedule-order" label={t("schedule.order")}>
          <select
            id="schedule-order"
            value={form.order}
            onChange={(e) => set({ order: e.target.value as Order })}
          >
            {ORDERS.map((o) => (
              <option key={o} value={o}>
                {t(`schedule.order_${o}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="schedule-interval" label={t("schedule.interval")}>
          <input
            id="schedule-interval"
            type="number"
            min={0}
            max={600}
            value={form.intervalSeconds}
            onChange={(e) => set({ intervalSeconds: e.target.value })}
          />
        </Field>
      </div>
      {form.order !== "images_only" ? (
        <Field id="schedule-post-text" label={t("schedule.postText")}>
          <textarea
            id="schedule-post-text"
            rows={4}
            value={form.postText}
            onChange={(e) => set({ postText: e.target.value })}
          />
        </Field>
      ) : null}
      {form.order !== "text_only" ? (
        <div className="stack">
          <Field
            id="schedule-images"
            label={t("schedule.images", { max: MAX_IMAGES })}
            hint={t("schedule.imagesHint")}
          >
            <input
              id="schedule-images"
              type="file"
              accept="image/jpeg,image/png,image/gif"
              multiple
              disabled={uploading || form.images.length >= MAX_IMAGES}
              onChange={(e) => {
                void upload(e.target.files);
                e.target.value = "";
              }}
            />
          </Field>
          <ol className="stack" data-testid="schedule-images">
            {form.images.map((image, i) => (
              <li key={image.id} className="row" data-image={image.id}>
                <span>{image.name}</span>
                <Button small kind="ghost" disabled={i === 0} onClick={() => move(i, -1)}>
                  {t("schedule.up")}
                </Button>
                <Button
                  small
                  kind="ghost"
                  disabled={i === form.images.length - 1}
                  onClick={() => move(i, 1)}
                >
                  {t("schedule.down")}
                </Button>
                <Button
                  small
                  kind="ghost"
                  onClick={() => set({ images: form.images.filter((x) => x.id !== image.id) })}
                >
                  {t("common.delete")}
                </Button>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

function MessageTarget({
  form,
  set,
}: {
  form: FormState;
  set: (patch: Partial<FormState>) => void;
}) {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const groups = useLoad(acting.id, () => unwrap(api.GET("/v1/groups")));
  return (
    <div className="stack" data-testid="message-target">
      <Field id="schedule-mode" label={t("schedule.messageMode")}>
        <select
          id="schedule-mode"
          value={form.mode}
          onChange={(e) => set({ mode: e.target.value as FormState["mode"] })}
        >
          <option value="text">{t("schedule.modeText")}</option>
          <option value="template" disabled={form.advertising}>
            {t("schedule.modeTemplate")}
          </option>
        </select>
      </Field>
      {form.mode === "template" ? (
        <Field id="schedule-template" label={t("schedule.templateCode")}>
          <input
            id="schedule-template"
            value={form.templateCode}
            onChange={(e) => set({ templateCode: e.target.value })}
          />
        </Field>
      ) : (
        <Field id="schedule-text" label={t("schedule.text")}>
          <textarea
            id="schedule-text"
            rows={4}
            value={form.text}
            onChange={(e) => set({ text: e.target.value })}
          />
        </Field>
      )}
      <GroupPicker
        groups={groups.data?.data}
        value={form.groupIds}
        onChange={(groupIds) => set({ groupIds })}
      />
      <Field
        id="schedule-recipients"
        label={t("schedule.recipients")}
        hint={t("schedule.recipientsHint")}
      >
        <textarea
          id="schedule-recipients"
          rows={4}
          value={form.recipients}
          onChange={(e) => set({ recipients: e.target.value })}
        />
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={form.advertising}
          onChange={(e) =>
            set({ advertising: e.target.checked, ...(e.target.checked ? { mode: "text" } : {}) })
          }
        />
        {t("send.isAdvertising")}
      </label>
      {form.advertising ? (
        <fieldset className="field">
          <legend>{t("send.nightPolicy")}</legend>
          <div className="segmented" role="radiogroup" aria-label={t("send.nightPolicy")}>
            {(["defer", "reject"] as const).map((policy) => (
              <label key={policy} className={form.nightPolicy === policy ? "on" : undefined}>
                <input
                  type="radio"
                  name="schedule-night-policy"
                  value={policy}
                  checked={form.nightPolicy === policy}
                  onChange={() => set({ nightPolicy: policy })}
                />
                {t(policy === "defer" ? "send.nightDefer" : "send.nightReject")}
              </label>
            ))}
          </div>
          <div className="hint">{t("schedule.adHint")}</div>
        </fieldset>
      ) : null}
    </div>
  );
}

function ScheduleForm({ onCreated }: { onCreated(): void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [form, setForm] = useState<FormState>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = bodyOf(form);
      await unwrap(
        api.POST("/v1/schedules", { body, headers: { "idempotency-key": randomKey() } }),
      );
      setForm(initial);
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const timed = form.kind === "daily" || form.kind === "weekly" || form.kind === "monthly";
  return (
    <form onSubmit={submit} className="stack" data-testid="schedule-form" noValidate>
      <ErrorBanner error={error} fields={FIELDS} />
      <Field id="schedule-title" label={t("schedule.title")} name="title" error={error}>
        <input
          id="schedule-title"
          value={form.title}
          onChange={(e) => set({ title: e.target.value })}
        />
      </Field>
      <div className="grid-2 top">
        <div className="stack">
          <Field id="schedule-kind" label={t("schedule.kind")} name="repeat" error={error}>
            <select
              id="schedule-kind"
              value={form.kind}
              onChange={(e) => set({ kind: e.target.value as Repeat["kind"] })}
            >
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`schedule.kind_${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </Field>
          {form.kind === "once" ? (
            <Field id="schedule-at" label={t("schedule.at")}>
              <input
                id="schedule-at"
                type="datetime-local"
                value={form.at}
                onChange={(e) => set({ at: e.target.value })}
              />
            </Field>
          ) : null}
          {timed ? (
            <Field id="schedule-time" label={t("schedule.time")}>
              <input
                id="schedule-time"
                type="time"
                value={form.time}
                onChange={(e) => set({ time: e.target.value })}
              />
            </Field>
          ) : null}
          {form.kind === "weekly" ? (
            <fieldset>
              <legend>{t("schedule.weekdays")}</legend>
              {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                <label key={d} className="check">
                  <input
                    type="checkbox"
                    name="weekday"
                    value={d}
                    checked={form.weekdays.includes(d)}
                    onChange={(e) =>
                      set({
                        weekdays: e.target.checked
                          ? [...form.weekdays, d].sort()
                          : form.weekdays.filter((x) => x !== d),
                      })
                    }
                  />
                  {t(`schedule.weekday${d}` as MessageKey)}
                </label>
              ))}
            </fieldset>
          ) : null}
          {form.kind === "monthly" ? (
            <Field id="schedule-day" label={t("schedule.dayOfMonth")} hint={t("schedule.dayHint")}>
              <input
                id="schedule-day"
                type="number"
                min={1}
                max={31}
                value={form.dayOfMonth}
                onChange={(e) => set({ dayOfMonth: e.target.value })}
              />
            </Field>
          ) : null}
          {form.kind === "cron" ? (
            <Field id="schedule-cron" label={t("schedule.cron")} hint={t("schedule.cronHint")}>
              <input
                id="schedule-cron"
                value={form.cron}
                onChange={(e) => set({ cron: e.target.value })}
              />
            </Field>
          ) : null}
          <Field id="schedule-zone" label={t("schedule.timeZone")} name="timeZone" error={error}>
            <input
              id="schedule-zone"
              value={form.timeZone}
              onChange={(e) => set({ timeZone: e.target.value })}
            />
          </Field>
          <div className="grid-2">
            <Field
              id="schedule-from"
              label={t("schedule.validFrom")}
              name="validFrom"
              error={error}
            >
              <input
                id="schedule-from"
                type="datetime-local"
                value={form.validFrom}
                onChange={(e) => set({ validFrom: e.target.value })}
              />
            </Field>
            <Field
              id="schedule-until"
              label={t("schedule.validUntil")}
              name="validUntil"
              error={error}
            >
              <input
                id="schedule-until"
                type="datetime-local"
                value={form.validUntil}
                onChange={(e) => set({ validUntil: e.target.value })}
              />
            </Field>
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={form.skipHolidays}
              onChange={(e) => set({ skipHolidays: e.target.checked })}
            />
            {t("schedule.skipHolidays")}
          </label>
          <div className="grid-2">
            <Field id="schedule-missed" label={t("schedule.missed")}>
              <select
                id="schedule-missed"
                value={form.missedRunPolicy}
                onChange={(e) =>
                  set({ missedRunPolicy: e.target.value as FormState["missedRunPolicy"] })
                }
              >
                <option value="catch_up">{t("schedule.catchUp")}</option>
                <option value="skip">{t("schedule.skip")}</option>
              </select>
            </Field>
            <Field
              id="schedule-grace"
              label={t("schedule.grace")}
              name="graceMinutes"
              error={error}
            >
              <input
                id="schedule-grace"
                type="number"
                min={0}
                value={form.graceMinutes}
                onChange={(e) => set({ graceMinutes: e.target.value })}
              />
            </Field>
          </div>
        </div>
        <NextRuns form={form} />
      </div>
      <Field id="schedule-target" label={t("schedule.target")} name="target" error={error}>
        <select
          id="schedule-target"
          value={form.target}
          onChange={(e) => set({ target: e.target.value as FormState["target"] })}
        >
          <option value="message">{t("schedule.targetMessage")}</option>
          <option value="rooms">{t("schedule.targetRooms")}</option>
        </select>
      </Field>
      {form.target === "message" ? (
        <MessageTarget form={form} set={set} />
      ) : (
        <RoomTarget form={form} set={set} />
      )}
      <Button type="submit" kind="primary" busy={busy} disabled={!form.title.trim()}>
        {t("schedule.create")}
      </Button>
    </form>
  );
}

function repeatText(t: ReturnType<typeof useI18n>["t"], s: Schedule): string {
  const r = s.repeat as { kind: Repeat["kind"]; time?: string; weekdays?: number[]; cron?: string };
  const kind = t(`schedule.kind_${r.kind}` as MessageKey);
  if (r.kind === "weekly") {
    const days = (r.weekdays ?? []).map((d) => t(`schedule.weekday${d}` as MessageKey)).join(",");
    return `${kind} ${days} ${r.time}`;
  }
  if (r.kind === "cron") return `${kind} ${r.cron}`;
  return r.time ? `${kind} ${r.time}` : kind;
}

export function SchedulesScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const [status, setStatus] = useState<Schedule["status"] | "">("");
  const list = usePaged(`${acting.id}:${status}`, (cursor) =>
    unwrap(
      api.GET("/v1/schedules", {
        params: { query: { limit: 50, cursor, ...(status ? { status } : {}) } },
      }),
    ),
  );
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rows = list.data?.data ?? [];
  return (
    <>
      <PageHeader
        title={t("schedules.title")}
        actions={
          <div className="row">
            <Button onClick={() => navigate("/schedule-runs")}>{t("schedules.runLog")}</Button>
            <Button kind="primary" onClick={() => setCreating(!creating)}>
              {t("schedules.new")}
            </Button>
          </div>
        }
      />
      {creating ? (
        <Panel title={t("schedules.new")}>
          <ScheduleForm
            onCreated={() => {
              setCreating(false);
              list.reload();
            }}
          />
        </Panel>
      ) : null}
      <Panel title={t("schedules.list")}>
        <div className="row wrap">
          <Field
            id="schedule-status-filter"
            label={t("schedules.status")}
            name="status"
            error={list.error}
          >
            <select
              id="schedule-status-filter"
              value={status}
              onChange={(e) => setStatus(e.target.value as Schedule["status"] | "")}
            >
              <option value="">{t("schedules.all")}</option>
              {(["active", "inactive", "completed", "error"] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <ErrorBanner error={list.error ?? error} />
        {list.data && rows.length === 0 ? <Empty>{t("schedules.none")}</Empty> : null}
        {rows.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="schedules">
              <thead>
                <tr>
                  <th>{t("schedule.title")}</th>
                  <th>{t("schedule.kind")}</th>
                  <th>{t("schedules.status")}</th>
                  <th>{t("schedules.nextRun")}</th>
                  <th>{t("schedules.lastResult")}</th>
                  <th>{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => (
                  <tr key={s.id} data-schedule={s.id}>
                    <td>
                      <Link to={`/schedule-runs?scheduleId=${s.id}`}>{s.title}</Link>
                    </td>
                    <td>{repeatText(t, s)}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td>{s.nextRunAt ? formatTime(s.nextRunAt, locale, s.timeZone) : "–"}</td>
                    <td>
                      {s.lastRunStatus ? <StatusBadge status={`run_${s.lastRunStatus}`} /> : "–"}
                      {s.lastRunAt ? (
                        <div className="muted small">
                          {formatTime(s.lastRunAt, locale, s.timeZone)}
                        </div>
                      ) : null}
                    </td>
                    <td className="row">
                      <Button
                        small
                        onClick={() =>
                          void act(() =>
                            unwrap(
                              api.POST("/v1/schedules/{id}/toggle", {
                                params: { path: { id: s.id } },
                              }),
                            ),
                          )
                        }
                      >
                        {s.status === "active" ? t("schedules.turnOff") : t("schedules.turnOn")}
                      </Button>
                      <Button
                        small
                        kind="danger"
                        onClick={() => {
                          if (!window.confirm(t("schedules.deleteConfirm", { title: s.title }))) {
                            return;
                          }
                          void act(() =>
                            unwrap(
                              api.DELETE("/v1/schedules/{id}", { params: { path: { id: s.id } } }),
                            ),
                          );
                        }}
                      >
                        {t("common.delete")}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager paged={list} />
      </Panel>
    </>
  );
}

export function ScheduleRunsScreen() {
  const { t, locale } = useI18n();
  const { api, acting } = useSession();
  const scheduleId = new URLSearchParams(window.location.search).get("scheduleId") ?? "";
  const [status, setStatus] = useState<RunStatus | "">("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const range = from || to ? dayRange(from || to, to || from) : {};
  const runs = usePaged(`${acting.id}:${scheduleId}:${status}:${from}:${to}`, (cursor) =>
    unwrap(
      api.GET("/v1/schedule-runs", {
        params: {
          query: {
            limit: 50,
            cursor,
            ...(status ? { status } : {}),
            ...(scheduleId ? { scheduleId } : {}),
            ...range,
          },
        },
      }),
    ),
  );
  const rows = runs.data?.data ?? [];
  return (
    <>
      <PageHeader
        title={t("runs.title")}
        actions={<Button onClick={() => navigate("/schedules")}>{t("nav.schedules")}</Button>}
      />
      <Panel title={t("runs.filters")}>
        <div className="row wrap">
          <Field id="runs-status" label={t("schedules.status")} name="status" error={runs.error}>
            <select
              id="runs-status"
              value={status}
              onChange={(e) => setStatus(e.target.value as RunStatus | "")}
            >
              <option value="">{t("schedules.all")}</option>
              {RUN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.run_${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="runs-from" label={t("runs.from")} name="from" error={runs.error}>
            <input
              id="runs-from"
              type="date"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          </Field>
          <Field id="runs-to" label={t("runs.to")} name="to" error={runs.error}>
            <input id="runs-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
        </div>
      </Panel>
      <Panel title={t("runs.list")}>
        <ErrorBanner error={runs.error} />
        {runs.data && rows.length === 0 ? <Empty>{t("runs.none")}</Empty> : null}
        {rows.length > 0 ? (
          <div className="table-wrap">
            <table className="table" data-testid="schedule-runs">
              <thead>
                <tr>
                  <th>{t("runs.schedule")}</th>
                  <th>{t("runs.occurrence")}</th>
                  <th>{t("schedules.status")}</th>
                  <th className="hide-sm">{t("runs.duration")}</th>
                  <th>{t("runs.result")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} data-run={r.id} data-run-status={r.status}>
                    <td>{r.scheduleTitle}</td>
                    <td>{formatTime(r.occurrenceAt, locale, acting.timezone)}</td>
                    <td>
                      <StatusBadge status={`run_${r.status}`} />
                    </td>
                    <td className="hide-sm">
                      {r.durationMs === null ? "–" : `${r.durationMs} ms`}
                    </td>
                    <td>
                      {r.campaignId ? (
                        <Link to={`/campaigns/${r.campaignId}`}>{r.campaignId}</Link>
                      ) : null}
                      {r.posts.length > 0 ? (
                        <ul className="small" data-testid="run-posts">
                          {r.posts.map((p) => (
                            <li
                              key={`${p.roomId}:${p.kind}:${p.fileId ?? ""}`}
                              data-post-status={p.status}
                            >
                              {t(p.kind === "image" ? "room.kindImage" : "room.kindText")} ·{" "}
                              <StatusBadge status={`room_${p.status}`} />
                              {p.error ? ` ${p.error.code}` : ""}
                            </li>
                          ))}
                        </ul>
                      ) : null}
                      {r.error ? (
                        <div className="muted small">
                          {r.error.code}: {r.error.message}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager paged={runs} />
      </Panel>
    </>
  );
}
