import { sql } from "drizzle-orm";
import { check, customType, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { FILE_MIMES, type FileMime } from "../../domain/vocabulary.ts";
import { orgs } from "./orgs.ts";

export { FILE_MIMES, type FileMime };

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

/**
 * Uploaded files (MMS images). The bytes live in the database, not on a
 * local disk, so every API and worker process can serve and send them; at
 * 5 MB per file at most, Postgres keeps them out of line (TOAST).
 */
export const files = pgTable(
  "files",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id),
    name: text("name").notNull(),
    mime: text("mime").$type<FileMime>().notNull(),
    size: integer("size").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    data: bytea("data").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("files_org_idx").on(t.orgId, t.id),
    check("files_mime_check", sql`${t.mime} in ('image/jpeg', 'image/png', 'image/gif')`),
    check("files_size_check", sql`${t.size} = octet_length(${t.data})`),
  ],
);
