// Contact groups to send to, with their member counts and what the picked
// ones add up to (a contact in two groups is sent to once).
import type { Group } from "../api/types.ts";
import { useI18n } from "../i18n.tsx";
import { Link } from "../router.tsx";

export function GroupPicker({
  groups,
  value,
  onChange,
}: {
  groups: Group[] | undefined;
  value: string[];
  onChange(ids: string[]): void;
}) {
  const { t, locale } = useI18n();
  const toggle = (id: string) =>
    onChange(value.includes(id) ? value.filter((g) => g !== id) : [...value, id]);
  const picked = (groups ?? []).filter((g) => value.includes(g.id));
  const most = picked.reduce((sum, g) => sum + g.contactCount, 0);
  return (
    <fieldset className="field" data-testid="send-groups">
      <legend>{t("send.groups")}</legend>
      {groups === undefined ? <p className="muted small">{t("common.loading")}</p> : null}
      {groups?.every((g) => g.contactCount === 0) ? (
        <p className="muted small">
          {t("send.groupsEmpty")} <Link to="/contacts">{t("nav.contacts")}</Link>
        </p>
      ) : null}
      {groups && groups.length > 0 ? (
        <ul className="pick-list">
          {groups.map((g) => (
            <li key={g.id}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={value.includes(g.id)}
                  onChange={() => toggle(g.id)}
                  data-group={g.id}
                />
                <span>{g.name}</span>
                <span className="muted small">
                  {t("group.members", { n: g.contactCount.toLocaleString(locale) })}
                </span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      {picked.length > 0 ? (
        <div className="hint" data-testid="send-groups-summary">
          {t("send.groupsPicked", {
            groups: picked.length.toLocaleString(locale),
            n: most.toLocaleString(locale),
          })}
        </div>
      ) : null}
    </fieldset>
  );
}
