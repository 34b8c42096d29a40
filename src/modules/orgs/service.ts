import type { Db, Queryable } from "../../db/client.ts";
import type { Scope } from "../../domain/scopes.ts";
import { CHILD_KINDS, ORG_KINDS, type OrgKind, type OrgStatus } from "../../domain/vocabulary.ts";
import { AppError } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import {
  apiKeyPrefix,
  generateApiKeySecret,
  hashApiKeySecret,
  insertApiKey,
} from "../api-keys/index.ts";
import { grantOpeningCredits } from "../credits/index.ts";
import { ensureDefaultPlan } from "../plans/index.ts";
import { findOrg, findPlatformOrg, insertOrg, type OrgRow, updateOrg } from "./queries.ts";

/** Keys made with an organization may send, read and manage that organization's subtree. */
export const DEFAULT_KEY_SCOPES: Scope[] = ["send", "read", "manage"];

const rank = (kind: OrgKind) => ORG_KINDS.indexOf(kind);

/** The kind of a new child when none is given: one level below its parent. */
export function defaultChildKind(parent: OrgKind): OrgKind | null {
  return ORG_KINDS[rank(parent) + 1] ?? null;
}

/** Creates the platform root and the default plan if they do not exist yet. */
export async function ensurePlatform(db: Db): Promise<OrgRow> {
  return db.tx(async (q) => {
    const existing = await findPlatformOrg(q);
    if (existing) return existing;
    const planId = await ensureDefaultPlan(q, newId("pln"));
    return insertOrg(q, {
      id: newId("org"),
      parent: null,
      kind: "platform",
      name: "Platform",
      planId,
      timezone: "Asia/Seoul",
    });
  });
}

export interface CreateOrgInput {
  name: string;
  parentId?: string;
  kind?: OrgKind;
  credits?: bigint;
  timezone?: string;
}

export interface CreatedOrg {
  org: OrgRow;
  apiKey: string;
}

/**
 * Creates an organization with its wallet, an API key and optional opening
 * credits, all in one transaction. Without a parent it goes under the
 * platform root.
 */
export async function createOrg(db: Db, input: CreateOrgInput): Promise<CreatedOrg> {
  const made = await makeOrg(db, input, true);
  return { org: made.org, apiKey: made.apiKey! };
}

/** An organization made through the API by its parent: no key of its own (a parent acts for it). */
export async function createChildOrg(db: Db, input: CreateOrgInput): Promise<OrgRow> {
  return (await makeOrg(db, input, false)).org;
}

async function makeOrg(
  db: Db,
  input: CreateOrgInput,
  issueKey: boolean,
): Promise<{ org: OrgRow; apiKey: string | null }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new AppError("VALIDATION_FAILED", "name must be 1 to 200 characters", {
      details: [{ path: "/name", code: "INVALID_VALUE", message: "must be 1 to 200 characters" }],
    });
  }
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) {
    throw new AppError("VALIDATION_FAILED", `unknown time zone ${input.timezone}`, {
      details: [{ path: "/timezone", code: "INVALID_VALUE", message: "not an IANA time zone" }],
    });
  }
  const platform = await ensurePlatform(db);
  return db.tx(async (q) => {
    const parent = input.parentId ? await findOrg(q, input.parentId) : platform;
    if (!parent) throw new AppError("NOT_FOUND", `parent organization ${input.parentId} not found`);
    const kind = input.kind ?? defaultChildKind(parent.kind);
    if (!kind || !CHILD_KINDS[parent.kind].includes(kind)) {
      const allowed = CHILD_KINDS[parent.kind];
      throw new AppError(
        "VALIDATION_FAILED",
        `a ${kind ?? "child"} cannot be placed under a ${parent.kind}`,
        {
          details: [
            {
              path: "/kind",
              code: "INVALID_CHILD_KIND",
              message:
                allowed.length > 0
                  ? `a ${parent.kind} may have ${allowed.join(", ")}`
                  : `a ${parent.kind} has no children`,
            },
          ],
        },
      );
    }
    const org = await insertOrg(q, {
      id: newId("org"),
      parent,
      kind,
      name,
      planId: parent.planId,
      timezone: input.timezone ?? parent.timezone,
    });
    const apiKey = !issueKey
      ? null
      : await issueApiKey(q, { orgId: org.id, name: "default", scopes: DEFAULT_KEY_SCOPES });
    if (input.credits && input.credits > 0n) {
      await grantOpeningCredits(q, { orgId: org.id, amount: input.credits });
    }
    return { org, apiKey };
  });
}

/** Changes an organization's name, time zone or status, checking the name and the zone. */
export async function changeOrg(
  db: Queryable,
  id: string,
  change: { name?: string; timezone?: string; status?: OrgStatus; rateLimit?: number | null },
): Promise<OrgRow | null> {
  const name = change.name?.trim();
  if (name !== undefined && (name.length === 0 || name.length > 200)) {
    throw new AppError("VALIDATION_FAILED", "name must be 1 to 200 characters", {
      details: [{ path: "/name", code: "INVALID_VALUE", message: "must be 1 to 200 characters" }],
    });
  }
  if (change.timezone !== undefined && !isTimeZone(change.timezone)) {
    throw new AppError("VALIDATION_FAILED", `unknown time zone ${change.timezone}`, {
      details: [{ path: "/timeZone", code: "INVALID_VALUE", message: "not an IANA time zone" }],
    });
  }
  return updateOrg(db, id, { ...change, name });
}

/** Creates an API key and returns its secret, which is never readable again. */
export async function issueApiKey(
  q: Queryable,
  key: { orgId: string; name: string; scopes: Scope[] },
): Promise<string> {
  const secret = generateApiKeySecret();
  await insertApiKey(q, {
    id: newId("key"),
    orgId: key.orgId,
    name: key.name,
    prefix: apiKeyPrefix(secret),
    secretHash: hashApiKeySecret(secret),
    scopes: key.scopes,
  });
  return secret;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
