CREATE TABLE "contact_groups" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"system" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"phone" text NOT NULL,
	"name" text,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ad_consent_at" timestamp with time zone,
	"ad_consent_source" text,
	"night_consent_at" timestamp with time zone,
	"night_consent_source" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "group_members" (
	"group_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "group_members_group_id_contact_id_pk" PRIMARY KEY("group_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "opt_outs" (
	"org_id" text NOT NULL,
	"phone" text NOT NULL,
	"scope" text DEFAULT 'advertising' NOT NULL,
	"source" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "opt_outs_org_id_phone_pk" PRIMARY KEY("org_id","phone"),
	CONSTRAINT "opt_outs_scope_check" CHECK ("opt_outs"."scope" in ('advertising', 'all'))
);
--> statement-breakpoint
ALTER TABLE "contact_groups" ADD CONSTRAINT "contact_groups_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_group_id_contact_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."contact_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "group_members" ADD CONSTRAINT "group_members_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opt_outs" ADD CONSTRAINT "opt_outs_org_id_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contact_groups_org_name_key" ON "contact_groups" USING btree ("org_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "contact_groups_org_system_key" ON "contact_groups" USING btree ("org_id") WHERE system;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_org_phone_key" ON "contacts" USING btree ("org_id","phone");--> statement-breakpoint
CREATE INDEX "contacts_org_idx" ON "contacts" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "group_members_contact_idx" ON "group_members" USING btree ("contact_id");--> statement-breakpoint
-- Every contact is in at least one group. A contact that joins a group other
-- than its organization's 미지정 ("unassigned") leaves 미지정; one that leaves
-- its last group goes back to 미지정. Statement triggers over the rows each
-- statement touched, so a move of 10,000 members is one pass, not 10,000.
CREATE FUNCTION group_members_leave_unassigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A statement trigger fires for zero rows too: stop there, or each would fire the other.
  IF NOT EXISTS (SELECT 1 FROM joined) THEN RETURN NULL; END IF;
  DELETE FROM group_members m
  USING (SELECT DISTINCT j.contact_id FROM joined j
         JOIN contact_groups g ON g.id = j.group_id WHERE NOT g.system) moved,
        contact_groups s
  WHERE m.contact_id = moved.contact_id AND m.group_id = s.id AND s.system;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER group_members_joined AFTER INSERT ON group_members
  REFERENCING NEW TABLE AS joined
  FOR EACH STATEMENT EXECUTE FUNCTION group_members_leave_unassigned();--> statement-breakpoint
CREATE FUNCTION group_members_back_to_unassigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM gone) THEN RETURN NULL; END IF;
  INSERT INTO group_members (group_id, contact_id)
  SELECT s.id, c.id
  FROM (SELECT DISTINCT contact_id FROM gone) g
  JOIN contacts c ON c.id = g.contact_id
  JOIN contact_groups s ON s.org_id = c.org_id AND s.system
  WHERE NOT EXISTS (SELECT 1 FROM group_members m WHERE m.contact_id = c.id)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER group_members_left AFTER DELETE ON group_members
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION group_members_back_to_unassigned();
