// An organization's address book: contacts with attributes, consent and
// groups; search and paging; a CSV export Excel opens in Korean.
import Type from "typebox";
import { formatKoreanNumber } from "../../domain/phone.ts";
import { principalOf } from "../../http/auth.ts";
import { decodeCursor, Page, toPage } from "../../http/pagination.ts";
import { errorResponses, IdParams } from "../../http/schemas.ts";
import type { App, RouteDeps } from "../../http/types.ts";
import { csvLine, UTF8_BOM } from "../../lib/csv.ts";
import { AppError } from "../../lib/errors.ts";
import { idempotencyOf, runIdempotent } from "../idempotency/index.ts";
import { exportContacts } from "./export.ts";
import { setMembership } from "./group-queries.ts";
import {
  type ContactChange,
  deleteContact,
  findContact,
  findContactIdByPhone,
  insertContact,
  listContacts,
  updateContact,
} from "./queries.ts";
import { checkContactFields, groupsFor, phoneOf } from "./service.ts";
import { Contact, contactView } from "./view.ts";

const Attributes = Type.Record(
  Type.String({ maxLength: 40 }),
  Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]),
);

const ConsentInput = Type.Object(
  {
    advertising: Type.Optional(Type.Boolean()),
    night: Type.Optional(Type.Boolean()),
    source: Type.Optional(Type.String({ maxLength: 200, examples: ["매장 가입 신청서"] })),
  },
  { additionalProperties: false },
);

const GroupIds = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 });

/** A consent as given in a request: granted now with its source, withdrawn, or left. */
function consentChange(
  consent: { advertising?: boolean; night?: boolean; source?: string } | undefined,
  now: Date,
): Pick<ContactChange, "adConsent" | "nightConsent"> {
  const given = (flag: boolean | undefined) =>
    flag === undefined ? undefined : flag ? { at: now, source: consent?.source ?? null } : null;
  const change: Pick<ContactChange, "adConsent" | "nightConsent"> = {};
  const ad = given(consent?.advertising);
  const night = given(consent?.night);
  if (ad !== undefined) change.adConsent = ad;
  if (night !== undefined) change.nightConsent = night;
  return change;
}

export function contactRoutes(app: App, deps: RouteDeps) {
  app.post(
    "/v1/contacts",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Add a contact (a phone number is unique in an organization)",
        body: Type.Object(
          {
            phone: Type.String({ minLength: 1, maxLength: 30, examples: ["010-1234-5678"] }),
            name: Type.Optional(Type.String({ maxLength: 200 })),
            attributes: Type.Optional(Attributes),
            groupIds: Type.Optional(GroupIds),
            consent: Type.Optional(ConsentInput),
          },
          { additionalProperties: false },
        ),
        response: { 201: Contact, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const body = request.body;
      const phone = phoneOf(body.phone, "/phone");
      const { name, attributes } = checkContactFields(body);
      const now = deps.now();
      const consent = consentChange(body.consent, now);
      const idempotency = idempotencyOf(request, "POST /v1/contacts");
      const result = await runIdempotent(deps.db, { orgId: p.orgId, idempotency }, async (q) => {
        const groups = await groupsFor(q, p.orgId, body.groupIds);
        const id = await insertContact(
          q,
          p.orgId,
          {
            phone,
            name: name ?? null,
            attributes: attributes ?? {},
            adConsent: consent.adConsent ?? null,
            nightConsent: consent.nightConsent ?? null,
          },
          groups,
        );
        if (!id) {
          const existing = await findContactIdByPhone(q, p.orgId, phone);
          throw new AppError("CONFLICT", `${formatKoreanNumber(phone)} is already a contact`, {
            details: [{ path: "/phone", code: "CONTACT_EXISTS", contactId: existing }],
          });
        }
        return { statusCode: 201, body: contactView((await findContact(q, p.orgId, id))!) };
      });
      return reply.status(result.statusCode).send(result.body);
    },
  );

  app.get(
    "/v1/contacts",
    {
      config: { scope: "read" },
      schema: {
        tags: ["contacts"],
        summary: "Search and page the organization's contacts",
        querystring: Type.Object(
          {
            search: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: "in the name or the phone's digits",
              }),
            ),
            groupId: Type.Optional(Type.String({ maxLength: 100 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(Contact), ...errorResponses },
      },
    },
    async (request) => {
      const { search, groupId, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      const term = search?.trim() || null;
      // "010-1234" finds +821012345678: compare the national digits.
      const digits = term?.replace(/\D/g, "").replace(/^0/, "") || null;
      const rows = await listContacts(deps.db, {
        orgId: principalOf(request).orgId,
        search: term,
        digits: digits && digits.length >= 3 ? digits : null,
        groupId: groupId ?? null,
        after: decodeCursor(cursor),
        limit: limit + 1,
      });
      return toPage(rows, limit, (c) => c.id, contactView);
    },
  );

  app.get(
    "/v1/contacts/export",
    {
      config: { scope: "read" },
      schema: {
        tags: ["contacts"],
        summary: "The contacts as CSV (UTF-8 with BOM: Excel opens it in Korean)",
        querystring: Type.Object(
          { groupId: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const stream = await exportContacts(deps.db, {
        orgId: principalOf(request).orgId,
        groupId: request.query.groupId ?? null,
        bom: UTF8_BOM,
        line: csvLine,
      });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="contacts.csv"`)
        .send(stream);
    },
  );

  app.get(
    "/v1/contacts/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["contacts"],
        summary: "One contact",
        params: IdParams,
        response: { 200: Contact, ...errorResponses },
      },
    },
    async (request) => {
      const contact = await findContact(deps.db, principalOf(request).orgId, request.params.id);
      if (!contact) throw new AppError("NOT_FOUND", "contact not found");
      return contactView(contact);
    },
  );

  app.patch(
    "/v1/contacts/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Change a contact's name, attributes, consent or groups",
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            attributes: Type.Optional(Attributes),
            groupIds: Type.Optional(GroupIds),
            consent: Type.Optional(ConsentInput),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Contact, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { id } = request.params;
      const { name, attributes } = checkContactFields(request.body);
      const now = deps.now();
      const change: ContactChange = { ...consentChange(request.body.consent, now) };
      if (name !== undefined) change.name = name;
      if (attributes !== undefined) change.attributes = attributes;
      const contact = await deps.db.tx(async (q) => {
        if (!(await updateContact(q, p.orgId, id, change, now))) return null;
        if (request.body.groupIds) {
          await setMembership(q, id, await groupsFor(q, p.orgId, request.body.groupIds));
        }
        return findContact(q, p.orgId, id);
      });
      if (!contact) throw new AppError("NOT_FOUND", "contact not found");
      return contactView(contact);
    },
  );

  app.delete(
    "/v1/contacts/:id",
    {
      config: { scope: "send" },
      schema: {
        tags: ["contacts"],
        summary: "Delete a contact (its opt-out, if any, stays)",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const deleted = await deleteContact(deps.db, principalOf(request).orgId, request.params.id);
      if (!deleted) throw new AppError("NOT_FOUND", "contact not found");
      return reply.status(204).send(null);
    },
  );
}
