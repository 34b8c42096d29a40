// Messages picked organization by organization, for every queue that must
// serve tenants in turn (the dispatcher's claim, the settler): a recursive
// CTE walks the distinct organizations that have matching messages (a loose
// index scan over an index that starts with org_id: one probe per
// organization, however many messages each has), and each gets an equal
// share of the batch, locked with `for update skip locked` so several
// workers pick at once without waiting for each other.

export interface InTurn {
  /** The name of the CTE that holds the picked ids (`id`). */
  name: string;
  /** Which messages qualify, for the messages table under the given alias. */
  where: (alias: string) => string;
  /** Within one organization, which go first (alias `m`). */
  orderBy: string;
  /** The SQL parameter holding the batch size, e.g. `$2`. */
  limit: string;
}

/** The CTEs (to follow `with recursive`) that pick `limit` messages in turn. */
export function messagesInTurn(pick: InTurn): string {
  return `lanes(org_id) as (
       (select m.org_id from messages m where ${pick.where("m")} order by m.org_id limit 1)
       union all
       select (select m.org_id from messages m
               where ${pick.where("m")} and m.org_id > lanes.org_id
               order by m.org_id limit 1)
       from lanes where lanes.org_id is not null
     ),
     active as (select org_id from lanes where org_id is not null),
     share as (select greatest(1, ${pick.limit}::int / greatest(1, (select count(*)::int from active))) as n),
     ${pick.name} as (
       select p.id from active a cross join lateral (
         select m.id from messages m
         where m.org_id = a.org_id and ${pick.where("m")}
         order by ${pick.orderBy}
         limit (select n from share)
         for update skip locked
       ) p
     )`;
}
