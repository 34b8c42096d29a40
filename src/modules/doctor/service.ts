import type { Queryable } from "../../db/client.ts";
import { formatCredits } from "../../domain/money.ts";
import { findUngroupedContacts } from "../contacts/index.ts";
import {
  auditReportParking,
  auditWallets,
  findInconsistentMessages,
  findMisbookedMargins,
  findMiscountedCampaigns,
  findMiscountedStats,
  type WalletAudit,
} from "./queries.ts";

export interface Violation {
  orgId?: string;
  messageId?: string;
  campaignId?: string;
  contactId?: string;
  problem: string;
}

/** The credit invariants of one wallet (DESIGN.md §5). */
export function checkWallet(w: WalletAudit): Violation[] {
  const out: Violation[] = [];
  const fail = (problem: string) => out.push({ orgId: w.orgId, problem });
  const c = formatCredits;
  if (w.balance < 0n) fail(`balance ${c(w.balance)} is negative`);
  if (w.held < 0n || w.held > w.balance) {
    fail(`held ${c(w.held)} is outside 0..balance (${c(w.balance)})`);
  }
  if (w.ledgerBalance !== w.balance) {
    fail(`balance ${c(w.balance)} differs from the ledger's sum ${c(w.ledgerBalance)}`);
  }
  if (w.ledgerHeld !== w.held) {
    fail(`held ${c(w.held)} differs from the ledger's held sum ${c(w.ledgerHeld)}`);
  }
  if (w.unsettledHolds !== w.held) {
    fail(
      `held ${c(w.held)} differs from the unsettled holds of its messages ${c(w.unsettledHolds)}`,
    );
  }
  return out;
}

export interface DoctorReport {
  wallets: number;
  violations: Violation[];
  /**
   * Delivery reports whose message was unknown when they came: parked now,
   * and dropped so far (after ALIMI_UNKNOWN_REPORT_WINDOW, or over an
   * account's ALIMI_UNKNOWN_REPORT_LIMIT). Not violations: what vendors sent.
   */
  reports: { parked: number; dropped: { expired: number; overLimit: number } };
}

export async function runDoctor(q: Queryable): Promise<DoctorReport> {
  const wallets = await auditWallets(q);
  const violations = wallets.flatMap(checkWallet);
  for (const m of await findInconsistentMessages(q, 100)) {
    violations.push({ messageId: m.id, problem: m.problem });
  }
  for (const c of await findMiscountedCampaigns(q, 100)) {
    violations.push({
      campaignId: c.campaignId,
      problem: `kept counts of ${c.status} messages (messages fallbacks in-flight unsettled held charged released: ${c.kept}) differ from their count (${c.counted})`,
    });
  }
  for (const s of await findMiscountedStats(q, 100)) {
    violations.push({
      orgId: s.orgId,
      problem: `statistics of ${s.type} messages in the hour from ${s.hour.toISOString()} (accepted pending sent delivered delivered-tracked failed expired charged refunded: ${s.kept}) differ from a recount of the messages (${s.counted})`,
    });
  }
  for (const m of await findMisbookedMargins(q, 100)) {
    const c = formatCredits;
    violations.push({
      campaignId: m.campaignId,
      problem: `captured messages were paid ${c(m.charged)}, not the platform's ${c(m.platform)} + margins booked ${c(m.booked)} (ledger: ${c(m.ledger)})`,
    });
  }
  for (const id of await findUngroupedContacts(q, 100)) {
    violations.push({ contactId: id, problem: "the contact is in no group (not even 미지정)" });
  }
  const parking = await auditReportParking(q);
  return {
    wallets: wallets.length,
    violations,
    reports: {
      parked: parking.parked,
      dropped: {
        expired: Number(parking.dropped.expired),
        overLimit: Number(parking.dropped.overLimit),
      },
    },
  };
}
