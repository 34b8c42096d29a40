import type { Queryable } from "../../db/client.ts";
import type { TemplateStatus } from "../../db/schema/templates.ts";
import type { TemplateButton } from "../../domain/template.ts";

export interface TemplateRow {
  id: string;
  orgId: string;
  code: string;
  body: string;
  buttons: TemplateButton[];
  variables: string[];
  fallbackText: string | null;
  fallbackSubject: string | null;
  status: TemplateStatus;
  createdAt: Date;
  updatedAt: Date;
}

const TEMPLATE_COLUMNS = `id, org_id as "orgId", code, body, buttons, variables,
  fallback_text as "fallbackText", fallback_subject as "fallbackSubject", status,
  created_at as "createdAt", updated_at as "updatedAt"`;

/** Inserts a template; returns null when the organization already has this code. */
export async function insertTemplate(
  q: Queryable,
  t: Omit<TemplateRow, "createdAt" | "updatedAt">,
): Promise<TemplateRow | null> {
  const r = await q.query<TemplateRow>(
    `insert into templates (id, org_id, code, body, buttons, variables, fallback_text,
       fallback_subject, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (org_id, code) do nothing
     returning ${TEMPLATE_COLUMNS}`,
    [
      t.id,
      t.orgId,
      t.code,
      t.body,
      JSON.stringify(t.buttons),
      t.variables,
      t.fallbackText,
      t.fallbackSubject,
      t.status,
    ],
  );
  return r.rows[0] ?? null;
}

export async function findTemplateByCode(
  q: Queryable,
  orgId: string,
  code: string,
): Promise<TemplateRow | null> {
  const r = await q.query<TemplateRow>(
    `select ${TEMPLATE_COLUMNS} from templates where org_id = $1 and code = $2`,
    [orgId, code],
  );
  return r.rows[0] ?? null;
}

export async function listTemplates(
  q: Queryable,
  options: { orgId: string; after: string | null; limit: number },
): Promise<TemplateRow[]> {
  const r = await q.query<TemplateRow>(
    `select ${TEMPLATE_COLUMNS} from templates
     where org_id = $1 and ($2::text is null or code > $2)
     order by code limit $3`,
    [options.orgId, options.after, options.limit],
  );
  return r.rows;
}
