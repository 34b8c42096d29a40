CREATE TABLE "import_rows" (
	"import_id" text NOT NULL,
	"org_id" text NOT NULL,
	"row_number" integer NOT NULL,
	"status" text NOT NULL,
	"phone" text,
	"phone_input" text,
	"name" text,
	"attributes" jsonb NOT NULL,
	"errors" jsonb,
	"duplicate_of" integer,
	"contact_id" text,
	"id_suffix" text,
	CONSTRAINT "import_rows_import_id_row_number_pk" PRIMARY KEY("import_id","row_number"),
	CONSTRAINT "import_rows_status_check" CHECK ("import_rows"."status" in ('valid', 'invalid', 'duplicate', 'existing'))
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"group_id" text NOT NULL,
	"status" text DEFAULT 'parsing' NOT NULL,
	"file_name" text NOT NULL,
	"file_type" text NOT NULL,
	"file_size" integer NOT NULL,
	"encoding" text,
	"data" "bytea",
	"columns" jsonb NOT NULL,
	"header_row" integer NOT NULL,
	"estimated_rows" integer NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"rows_total" integer DEFAULT 0 NOT NULL,
	"rows_valid" integer DEFAULT 0 NOT NULL,
	"rows_invalid" integer DEFAULT 0 NOT NULL,
	"rows_duplicate" integer DEFAULT 0 NOT NULL,
	"rows_existing" integer DEFAULT 0 NOT NULL,
	"on_existing" text,
	"exclude_rows" integer[],
	"created" integer,
	"updated" integer,
	"skipped" integer,
	"error_code" text,
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "imports_status_check" CHECK ("imports"."status" in ('parsing', 'ready', 'committing', 'completed', 'failed', 'discarded')),
	CONSTRAINT "imports_file_type_check" CHECK ("imports"."file_type" in ('xlsx', 'csv')),
	CONSTRAINT "imports_on_existing_check" CHECK ("imports"."on_existing" in ('update', 'skip'))
);
--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_rows_status_idx" ON "import_rows" USING btree ("import_id","status","row_number");--> statement-breakpoint
CREATE INDEX "imports_org_idx" ON "imports" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "imports_work_idx" ON "imports" USING btree ("lease_until") WHERE "imports"."status" in ('parsing', 'committing');