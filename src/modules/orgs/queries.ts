import type { Queryable } from "../../db/client.ts";
import type { OrgKind, OrgStatus, WalletMode } from "../../domain/vocabulary.ts";

export interface OrgRow {
  id: string;
  parentId: string | null;
  kind: OrgKind;
  name: string;
  path: string;
  depth: number;
  timezone: string;
  status: OrgStatus;
  /** Requests a second per key and user; null: the server's default. */
  rateLimit: number | null;
  walletMode: WalletMode;
  /** The markup its parent set, in hundredths of a percent. */
  markupBp: number;
  planId: string;
  createdAt: Date;
}

const ORG_COLUMNS = `id, parent_id as "parentId", kind, name, path, depth, timezone, status,
  rate_limit as "rateLimit", wallet_mode as "walletMode", markup_bp as "markupBp",
  plan_id as "planId", created_at as "createdAt"`;

/** Inserts an organization under `parent` (or as the root) and its empty wallet. */
export async function insertOrg(
  q: Queryable,
  org: {
    id: string;
    parent: OrgRow | null;
    kind: OrgKind;
    name: string;
    planId: string;
    timezone: string;
  },
): Promise<OrgRow> {
  const path = `${org.parent?.path ?? ""}${org.id}/`;
  const depth = (org.parent?.depth ?? -1) + 1;
  const r = await q.query<OrgRow>(
    `insert into orgs (id, parent_id, kind, name, path, depth, timezone, plan_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     returning ${ORG_COLUMNS}`,
    [org.id, org.parent?.id ?? null, org.kind, org.name, path, depth, org.timezone, org.planId],
  );
  await q.query("insert into wallets (org_id) values ($1)", [org.id]);
  return r.rows[0]!;
}

/** Changes an organization's name, time zone or status; null fields stay. */
export async function updateOrg(
  q: Queryable,
  id: string,
  change: { name?: string; timezone?: string; status?: OrgStatus; rateLimit?: number | null },
): Promise<OrgRow | null> {
  const r = await q.query<OrgRow>(
    `update orgs set name = coalesce($2, name), timezone = coalesce($3, timezone),
       status = coalesce($4, status),
       rate_limit = case when $5 then $6::int else rate_limit end
     where id = $1 returning ${ORG_COLUMNS}`,
    [
      id,
      change.name ?? null,
      change.timezone ?? null,
      change.status ?? null,
      change.rateLimit !== undefined,
      change.rateLimit ?? null,
    ],
  );
  return r.rows[0] ?? null;
}

export async function findOrg(q: Queryable, id: string): Promise<OrgRow | null> {
  const r = await q.query<OrgRow>(`select ${ORG_COLUMNS} from orgs where id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** An organization, only if it lies in the subtree rooted at `scopePath`. */
export async function findOrgInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<OrgRow | null> {
  const r = await q.query<OrgRow>(
    `select ${ORG_COLUMNS} from orgs where id = $1 and path like $2 || '%'`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

export async function findPlatformOrg(q: Queryable): Promise<OrgRow | null> {
  const r = await q.query<OrgRow>(`select ${ORG_COLUMNS} from orgs where kind = 'platform'`);
  return r.rows[0] ?? null;
}

/** A page of the organizations in the subtree at `scopePath`, by id. */
export async function listOrgs(
  q: Queryable,
  options: {
    scopePath: string;
    search: string | null;
    kind: OrgKind | null;
    after: string | null;
    limit: number;
  },
): Promise<OrgRow[]> {
  const r = await q.query<OrgRow>(
    `select ${ORG_COLUMNS} from orgs
     where path like $1 || '%'
       and ($2::text is null or name ilike '%' || $2 || '%' or id = $2)
       and ($3::text is null or kind = $3)
       and ($4::text is null or id > $4)
     order by id limit $5`,
    [options.scopePath, options.search, options.kind, options.after, options.limit],
  );
  return r.rows;
}

/** Sets the wallet an organization spends: its own, or its nearest ancestor's. */
export async function setWalletMode(q: Queryable, id: string, mode: WalletMode): Promise<OrgRow> {
  const r = await q.query<OrgRow>(
    `update orgs set wallet_mode = $2 where id = $1 returning ${ORG_COLUMNS}`,
    [id, mode],
  );
  return r.rows[0]!;
}

/** Sets the markup on an organization's parent's prices, in hundredths of a percent. */
export async function setMarkup(q: Queryable, id: string, markupBp: number): Promise<OrgRow> {
  const r = await q.query<OrgRow>(
    `update orgs set markup_bp = $2 where id = $1 returning ${ORG_COLUMNS}`,
    [id, markupBp],
  );
  return r.rows[0]!;
}
