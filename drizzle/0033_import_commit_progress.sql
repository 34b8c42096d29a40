CREATE TABLE "import_commit_progress" (
	"import_id" text PRIMARY KEY NOT NULL,
	"attempts" integer NOT NULL,
	"stored" integer NOT NULL,
	"total" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
