// Registering an Alimtalk template with a vendor and reading its review: the
// small interface the templates module owns. A vendor with a template API
// implements it in its folder (solapi/templates.ts, nhn/templates.ts, listed
// in template-reviewers.ts); for the others (the sandbox, Aligo) the platform
// operator reviews the template.
//
// Kakao reviews every Alimtalk template before it can be sent (up to two
// business days); the vendor relays it: the template is registered with the
// vendor under a KakaoTalk channel, inspected by Kakao, then approved or
// rejected with comments. Alimi asks the vendor for the result (the review
// poller, and a read of a template whose last answer is stale).
import type { MappedError } from "./http.ts";
import type { AlimtalkButton, VendorAccount, VendorName } from "./vendor.ts";

export type ReviewStatus = "requested" | "inspecting" | "approved" | "rejected";
export const REVIEW_STATUSES: readonly ReviewStatus[] = [
  "requested",
  "inspecting",
  "approved",
  "rejected",
];

/** A template as a vendor registers it. */
export interface TemplateToSubmit {
  /** Our code: NHN's templateCode, SOLAPI's template name. */
  code: string;
  body: string;
  buttons: AlimtalkButton[];
}

/** Where a registered template is found again at its vendor. */
export interface VendorTemplateRef {
  /** SOLAPI's templateId ("KA01TP…"), NHN's templateCode. */
  vendorTemplateId: string;
  /** The KakaoTalk channel it is registered under: NHN's senderKey, SOLAPI's pfId. */
  senderKey: string;
}

export interface VendorComment {
  /** Identifies the comment at the vendor, so a comment read again is kept once. */
  key: string;
  author: string | null;
  body: string;
  /** The vendor's word for it ("REJ", "APR"), when it gives one. */
  status: string | null;
  at: Date | null;
}

export interface ReviewState extends VendorTemplateRef {
  /** Null when the vendor's status is not one this installation maps (the template stays as it is). */
  status: ReviewStatus | null;
  /** The vendor's own status, as it said it. */
  vendorStatus: string;
  comments: VendorComment[];
}

export type ReviewAnswer =
  | { ok: true; state: ReviewState }
  | {
      ok: false;
      failure: MappedError;
      /** The vendor answered and refused (not unreachable): the same call will fail again. */
      refused: boolean;
    };

export interface TemplateReviewer {
  readonly vendor: VendorName;
  /**
   * Registers the template and has it inspected; with `previous` (it was
   * registered through this account before and rejected), changes it there
   * and has it inspected again.
   */
  submit(
    account: VendorAccount,
    template: TemplateToSubmit,
    previous: VendorTemplateRef | null,
  ): Promise<ReviewAnswer>;
  /** Its review as the vendor has it now. */
  read(account: VendorAccount, ref: VendorTemplateRef): Promise<ReviewAnswer>;
}

/** A failure of ours (before any call), said the way a vendor's is. */
export function refusedBefore(rawCode: string, message: string): ReviewAnswer {
  return {
    ok: false,
    refused: true,
    failure: { error: { code: "UNKNOWN", rawCode, message }, retryable: false },
  };
}
