import type { Queryable } from "../../db/client.ts";
import type { FileMime } from "../../db/schema/files.ts";
import type { ImageInfo } from "../../domain/send-plan.ts";
import type { OutboundImage } from "../../vendors/vendor.ts";

export interface FileRow {
  id: string;
  orgId: string;
  name: string;
  mime: FileMime;
  size: number;
  width: number;
  height: number;
  createdAt: Date;
  /** The owning organization's time zone, for the local time people read. */
  timezone: string;
}

const FILE_COLUMNS = `f.id, f.org_id as "orgId", f.name, f.mime, f.size, f.width, f.height,
  f.created_at as "createdAt", o.timezone`;

// PGlite answers bytea as a Uint8Array, node-postgres as a Buffer.
const toBuffer = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** Stores an uploaded file with its bytes; returns it as read back. */
export async function insertFile(
  q: Queryable,
  file: {
    id: string;
    orgId: string;
    name: string;
    mime: FileMime;
    width: number;
    height: number;
    data: Buffer;
  },
): Promise<FileRow> {
  const r = await q.query<FileRow>(
    `with f as (
       insert into files (id, org_id, name, mime, size, width, height, data)
       values ($1, $2, $3, $4, octet_length($7::bytea), $5, $6, $7::bytea)
       returning id, org_id, name, mime, size, width, height, created_at
     )
     select ${FILE_COLUMNS} from f join orgs o on o.id = f.org_id`,
    [file.id, file.orgId, file.name, file.mime, file.width, file.height, file.data],
  );
  return r.rows[0]!;
}

/** A file's metadata, if it belongs to the subtree; another tenant's file is not found. */
export async function findFileInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<FileRow | null> {
  const r = await q.query<FileRow>(
    `select ${FILE_COLUMNS} from files f join orgs o on o.id = f.org_id
     where f.id = $1 and o.path like $2 || '%'`,
    [id, scopePath],
  );
  return r.rows[0] ?? null;
}

/** A file's bytes and type, if it belongs to the subtree. */
export async function findFileContentInSubtree(
  q: Queryable,
  id: string,
  scopePath: string,
): Promise<{ name: string; mime: FileMime; data: Buffer } | null> {
  const r = await q.query<{ name: string; mime: FileMime; data: Uint8Array }>(
    `select f.name, f.mime, f.data from files f join orgs o on o.id = f.org_id
     where f.id = $1 and o.path like $2 || '%'`,
    [id, scopePath],
  );
  const row = r.rows[0];
  return row ? { name: row.name, mime: row.mime, data: toBuffer(row.data) } : null;
}

/** What a send needs to check its images: those of the ids that are the organization's own. */
export async function findOrgImages(
  q: Queryable,
  orgId: string,
  ids: readonly string[],
): Promise<ImageInfo[]> {
  if (ids.length === 0) return [];
  const r = await q.query<ImageInfo>(
    "select id, mime, size from files where org_id = $1 and id = any($2::text[])",
    [orgId, ids],
  );
  return r.rows;
}

/**
 * The images of campaigns being dispatched, with their bytes, by campaign and in the order
 * the campaign's content lists them. Only files of the campaign's own organization are read
 * (acceptance checked that they are; this keeps it so).
 */
export async function findFilesForDispatch(
  q: Queryable,
  campaignIds: readonly string[],
): Promise<Map<string, OutboundImage[]>> {
  const r = await q.query<{ campaignId: string; id: string; name: string; data: Uint8Array }>(
    `select c.id as "campaignId", f.id, f.name, f.data
     from campaigns c
     cross join lateral jsonb_array_elements_text(coalesce(c.content->'imageIds', '[]'))
       with ordinality as i(file_id, n)
     join files f on f.id = i.file_id and f.org_id = c.org_id and f.mime = 'image/jpeg'
     where c.id = any($1::text[])
     order by c.id, i.n`,
    [campaignIds],
  );
  const byCampaign = new Map<string, OutboundImage[]>();
  // Campaigns of one schedule share their images: one copy each in the dispatcher's cache.
  const byFile = new Map<string, OutboundImage>();
  for (const row of r.rows) {
    let image = byFile.get(row.id);
    if (image === undefined) {
      image = { fileId: row.id, name: row.name, mime: "image/jpeg", data: toBuffer(row.data) };
      byFile.set(row.id, image);
    }
    const list = byCampaign.get(row.campaignId);
    if (list) list.push(image);
    else byCampaign.set(row.campaignId, [image]);
  }
  return byCampaign;
}
