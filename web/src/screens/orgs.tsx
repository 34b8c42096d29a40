// The organization tree below the one the console acts as: pick one to see
// its credits, fund it, price it, act as it, or give it a child.
import { useState } from "react";
import { unwrap } from "../api/errors.ts";
import { useSession } from "../api/session.tsx";
import type { Org } from "../api/types.ts";
import { ErrorBanner } from "../components/form.tsx";
import { OrgPanel } from "../components/org-panel.tsx";
import { PageHeader, Panel } from "../components/panel.tsx";
import { StatusBadge } from "../components/status.tsx";
import { type MessageKey, useI18n } from "../i18n.tsx";
import { useLoad } from "../use-load.ts";

/** The subtree is read a page at a time, up to this many pages of 1,000. */
const MAX_PAGES = 20;

function childrenOf(orgs: Org[]): Map<string | null, Org[]> {
  const ids = new Set(orgs.map((o) => o.id));
  const map = new Map<string | null, Org[]>();
  for (const org of orgs) {
    const parent = org.parentId && ids.has(org.parentId) ? org.parentId : null;
    map.set(parent, [...(map.get(parent) ?? []), org]);
  }
  for (const list of map.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return map;
}

function Tree({
  parent,
  tree,
  selected,
  onSelect,
}: {
  parent: string | null;
  tree: Map<string | null, Org[]>;
  selected: string;
  onSelect(org: Org): void;
}) {
  const { t } = useI18n();
  const nodes = tree.get(parent) ?? [];
  if (nodes.length === 0) return null;
  return (
    <ul className="tree">
      {nodes.map((org) => (
        <li key={org.id} data-org={org.id}>
          <button
            type="button"
            className={org.id === selected ? "tree-node selected" : "tree-node"}
            aria-pressed={org.id === selected}
            onClick={() => onSelect(org)}
          >
            <span className="tree-name">{org.name}</span>
            <span className="badge muted">{t(`kind.${org.kind}` as MessageKey)}</span>
            {org.status !== "active" ? <StatusBadge status={org.status} /> : null}
          </button>
          <Tree parent={org.id} tree={tree} selected={selected} onSelect={onSelect} />
        </li>
      ))}
    </ul>
  );
}

export function OrgsScreen() {
  const { t } = useI18n();
  const { api, acting } = useSession();
  const orgs = useLoad(acting.id, async () => {
    const all: Org[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await unwrap(
        api.GET("/v1/orgs", { params: { query: { limit: 1000, cursor } } }),
      );
      all.push(...answer.data);
      if (!answer.nextCursor) break;
      cursor = answer.nextCursor;
    }
    return all;
  });
  const [selectedId, setSelectedId] = useState(acting.id);
  const list = orgs.data ?? [];
  const selected =
    list.find((o) => o.id === selectedId) ?? list.find((o) => o.id === acting.id) ?? acting;
  const tree = childrenOf(list);

  return (
    <>
      <PageHeader title={t("orgs.title")} />
      <ErrorBanner error={orgs.error} />
      <div className="split">
        <Panel title={t("orgs.tree")}>
          <nav aria-label={t("orgs.tree")} data-testid="org-tree">
            <Tree
              parent={null}
              tree={tree}
              selected={selected.id}
              onSelect={(o) => setSelectedId(o.id)}
            />
          </nav>
        </Panel>
        <OrgPanel
          key={selected.id}
          org={selected}
          onCreated={(child) => {
            orgs.reload();
            setSelectedId(child.id);
          }}
          onChanged={orgs.reload}
        />
      </div>
    </>
  );
}
