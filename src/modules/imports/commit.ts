// A claimed import's commit: ONE transaction that stores its staged rows as
// contacts and memberships (set-based statements, whatever the rows) and
// marks it completed. It commits whole or not at all, so a worker that dies
// mid-commit leaves nothing stored, and the next claim simply does it again.
// Its progress is reported between statements from another connection; the
// embedded database has only the one, so there the commit shows no progress
// until it is done.
import type { Db } from "../../db/client.ts";
import { newId } from "../../lib/ids.ts";
import { findGroup } from "../contacts/index.ts";
import { emitEvent } from "../webhooks/index.ts";
import { Superseded } from "./parse.ts";
import {
  type ClaimedImport,
  commitStagedRows,
  failImport,
  lockCommit,
  recordCommitProgress,
} from "./queries.ts";

export async function commitImport(
  db: Db,
  job: ClaimedImport,
  options: { now: () => Date; chunkRows?: number },
): Promise<void> {
  const now = options.now();
  const outcome = await db.tx(async (q) => {
    const commit = await lockCommit(q, job);
    if (!commit) throw new Superseded();
    const group = await findGroup(q, commit.orgId, commit.groupId);
    // Deleted since the commit was asked for: nothing can be stored.
    if (!group) return "no-group" as const;
    const stored = await commitStagedRows(q, {
      id: job.id,
      job: commit,
      idPrefix: newId("ct", now.getTime()).slice(0, -16),
      groupIsSystem: group.system,
      now,
      chunkRows: options.chunkRows,
      onProgress:
        db.engine === "postgres"
          ? (p) =>
              recordCommitProgress(db, {
                id: job.id,
                attempts: job.attempts,
                ...p,
                now: options.now(),
              })
          : undefined,
    });
    await emitEvent(q, {
      orgId: commit.orgId,
      type: "import.completed",
      data: { id: job.id, groupId: commit.groupId, ...stored },
    });
    return "completed" as const;
  });
  if (outcome === "no-group") {
    await db.tx((q) =>
      failImport(q, {
        id: job.id,
        attempts: job.attempts,
        code: "GROUP_NOT_FOUND",
        message: "the import's group was deleted before its contacts were stored",
        now: options.now(),
      }),
    );
  }
}
