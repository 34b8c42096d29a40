import type { Db, Queryable } from "../../db/client.ts";
import { ROUTING_CHANNELS, type RoutingChannel } from "../../domain/vocabulary.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import { type Actor, insertAudit } from "../audit/index.ts";
import type { OrgRow } from "../orgs/index.ts";
import { findDefaultVendorAccountId, findVendorAccountUsableBy } from "../vendor-accounts/index.ts";
import { findRoutingChain, replaceRouting } from "./queries.ts";
import { type EffectiveRouting, resolveRouting } from "./resolve.ts";

export type RoutingInput = Partial<
  Record<RoutingChannel, { primary: string; secondary?: string | null }>
>;

export async function effectiveRouting(q: Queryable, org: OrgRow): Promise<EffectiveRouting> {
  return resolveRouting({
    orgId: org.id,
    chain: await findRoutingChain(q, org.path),
    platformDefaultAccountId: await findDefaultVendorAccountId(q),
  });
}

/**
 * Sets an organization's own routing. Each account must be one the
 * organization may use (its own or an ancestor's; others do not exist for
 * it), active, and of a vendor this server has: routing never points at an
 * account that cannot send.
 */
export async function setRouting(
  db: Db,
  options: {
    org: OrgRow;
    input: RoutingInput;
    actor: Actor;
    onChanged: () => void;
    /** False with ALIMI_SANDBOX=false: sandbox accounts route nothing. */
    sandbox?: boolean;
  },
): Promise<EffectiveRouting> {
  const { org, input } = options;
  const routing = await db.tx(async (q) => {
    const problems: ErrorDetail[] = [];
    const rows = [];
    for (const channel of ROUTING_CHANNELS) {
      const choice = input[channel];
      if (!choice) continue;
      const secondary = choice.secondary ?? null;
      for (const [part, id] of [
        ["primary", choice.primary],
        ["secondary", secondary],
      ] as const) {
        if (id === null) continue;
        const account = await findVendorAccountUsableBy(q, id, org.path);
        if (!account) {
          problems.push({
            path: `/${channel}/${part}`,
            code: "UNKNOWN_VENDOR_ACCOUNT",
            message: `no vendor account ${id} that this organization may use`,
          });
        } else if (account.vendor === "sandbox" && options.sandbox === false) {
          problems.push({
            path: `/${channel}/${part}`,
            code: "VENDOR_DISABLED",
            message: `vendor account ${id} is a sandbox account, and the sandbox vendor is off on this server (ALIMI_SANDBOX=false)`,
          });
        } else if (account.status !== "active") {
          problems.push({
            path: `/${channel}/${part}`,
            code: "VENDOR_ACCOUNT_INACTIVE",
            message: `vendor account ${id} is ${account.status}: enable it first`,
          });
        }
      }
      if (secondary === choice.primary) {
        problems.push({
          path: `/${channel}/secondary`,
          code: "INVALID_VALUE",
          message: "the secondary must differ from the primary",
        });
      }
      rows.push({ channel, primaryAccountId: choice.primary, secondaryAccountId: secondary });
    }
    if (problems.length > 0) {
      throw new AppError("VALIDATION_FAILED", "the routing is not valid", { details: problems });
    }
    await replaceRouting(q, org.id, rows);
    await insertAudit(q, {
      orgId: org.id,
      actor: options.actor,
      action: "routing.updated",
      targetType: "org",
      targetId: org.id,
      details: { routing: input },
    });
    return effectiveRouting(q, org);
  });
  options.onChanged();
  return routing;
}
