// Tracked links at acceptance: where they point (the link base URL), the
// server's signing key, and a campaign's links stored with it.
import { randomBytes } from "node:crypto";
import type { Db, Queryable } from "../../db/client.ts";
import type { CampaignContentLinks } from "../../db/schema/campaigns.ts";
import { LINK_KEY_LENGTH, linkKeyFrom, linkSecretOf } from "../../domain/link-codes.ts";
import { type LinkTable, linkPrefixOf } from "../../domain/links.ts";
import { ensureSigningKey, findTakenLinkKeys, insertCampaignLinks } from "./queries.ts";

export interface LinkTracking {
  /** What links tracked now start with (`{base}/r/`); null when the base URL is not usable. */
  prefix(): string | null;
  /**
   * The key codes are signed with: the same in every process of one database.
   * Read (made, the first time) on its own connection and committed before
   * it is used, never inside a send's transaction: a key that a rolled-back
   * transaction made would sign codes no other process can read. The HTTP
   * side reads it as it starts (linkRoutes), so sends find it in memory.
   */
  signingKey(): Promise<Buffer>;
}

/** `baseUrl`: ALIMI_LINK_BASE_URL, or else where the server is reached (its public URL). */
export function createLinkTracking(options: { db: Db; baseUrl: () => string }): LinkTracking {
  let key: Promise<Buffer> | null = null;
  return {
    prefix() {
      try {
        return linkPrefixOf(options.baseUrl());
      } catch {
        return null;
      }
    },
    signingKey() {
      key ??= ensureSigningKey(options.db, randomBytes(32).toString("base64url")).then(
        (value) => Buffer.from(value, "base64url"),
        (err: unknown) => {
          key = null;
          throw err;
        },
      );
      return key;
    },
  };
}

/** A campaign's links before the campaign is written: unique keys, and what its content keeps. */
export interface PreparedLinks {
  content: CampaignContentLinks;
  rows: { key: string; idx: number; url: string }[];
}

/**
 * Gives each link of the table a key no other link has, and its secret.
 * Null for a table without links. Keys are random (62^6 of them): one
 * already taken is drawn again.
 */
export async function prepareLinks(
  q: Queryable,
  options: { tracking: LinkTracking; table: LinkTable | null },
): Promise<PreparedLinks | null> {
  const { table } = options;
  if (table === null || table.urls.length === 0) return null;
  const signingKey = await options.tracking.signingKey();
  const keys: string[] = [];
  while (keys.length < table.urls.length) {
    const drawn = new Set<string>();
    while (drawn.size < table.urls.length - keys.length) {
      const key = linkKeyFrom(randomBytes(LINK_KEY_LENGTH * 2));
      if (!keys.includes(key)) drawn.add(key);
    }
    const taken = await findTakenLinkKeys(q, [...drawn]);
    for (const key of drawn) if (!taken.has(key)) keys.push(key);
  }
  return {
    content: {
      prefix: table.prefix,
      links: keys.map((key) => ({
        key,
        secret: linkSecretOf(signingKey, key).toString("base64url"),
      })),
    },
    rows: table.urls.map((url, idx) => ({ key: keys[idx] as string, idx, url })),
  };
}

/** Writes a campaign's prepared links, after the campaign, in its transaction. */
export async function storeLinks(
  q: Queryable,
  options: { orgId: string; campaignId: string; links: PreparedLinks | null },
): Promise<void> {
  if (options.links === null) return;
  await insertCampaignLinks(q, {
    orgId: options.orgId,
    campaignId: options.campaignId,
    links: options.links.rows,
  });
}
