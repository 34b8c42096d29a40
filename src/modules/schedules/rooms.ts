// Which of a rooms target's rooms the organization cannot post to. The rooms
// themselves are the rooms module's; room access is checked again when the
// posts are made (a room deleted or moved since gets nothing).
import type { Queryable } from "../../db/client.ts";

/** Of `roomIds`, those that are not live rooms of the organization. */
export async function findMissingRooms(
  q: Queryable,
  orgId: string,
  roomIds: readonly string[],
): Promise<string[]> {
  if (roomIds.length === 0) return [];
  const r = await q.query<{ id: string }>(
    `select t.room_id as id from unnest($2::text[]) as t(room_id)
     where not exists (select 1 from rooms r
                       where r.id = t.room_id and r.org_id = $1 and r.deleted_at is null)`,
    [orgId, roomIds],
  );
  return r.rows.map((row) => row.id);
}
