// The CSV export of an organization's contacts (or one group's), streamed a
// page at a time in id order: 전화번호, 이름, then every attribute key any of
// them has, in name order.
import { Readable } from "node:stream";
import type { Queryable } from "../../db/client.ts";
import type { ContactAttributes } from "../../db/schema/contacts.ts";
import { formatKoreanNumber } from "../../domain/phone.ts";

const PAGE = 1000;

type Line = (values: readonly (string | number | boolean | null | undefined)[]) => string;

const inGroup = `($2::text is null or exists (
  select 1 from group_members m where m.contact_id = c.id and m.group_id = $2))`;

export async function exportContacts(
  q: Queryable,
  options: { orgId: string; groupId: string | null; bom: string; line: Line },
): Promise<Readable> {
  const { orgId, groupId, line } = options;
  const keys = (
    await q.query<{ key: string }>(
      `select distinct k as key from contacts c, jsonb_object_keys(c.attributes) k
       where c.org_id = $1 and ${inGroup} order by k`,
      [orgId, groupId],
    )
  ).rows.map((r) => r.key);
  async function* lines() {
    yield options.bom + line(["전화번호", "이름", ...keys]);
    let after = "";
    for (;;) {
      const page = await q.query<{
        id: string;
        phone: string;
        name: string | null;
        attributes: ContactAttributes;
      }>(
        `select c.id, c.phone, c.name, c.attributes from contacts c
         where c.org_id = $1 and ${inGroup} and c.id > $3 order by c.id limit ${PAGE}`,
        [orgId, groupId, after],
      );
      for (const c of page.rows) {
        yield line([formatKoreanNumber(c.phone), c.name, ...keys.map((k) => c.attributes[k])]);
      }
      if (page.rows.length < PAGE) return;
      after = page.rows[page.rows.length - 1]!.id;
    }
  }
  return Readable.from(lines());
}
