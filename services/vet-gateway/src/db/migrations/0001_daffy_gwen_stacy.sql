CREATE TABLE "vet_gateway"."accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"mode" text NOT NULL,
	"editor_id" text,
	"login" text,
	"password_sealed" text,
	"label" text,
	"acts" jsonb,
	"acts_key" text,
	"acts_pushed_key" text,
	"acts_pushed_at" timestamp with time zone,
	"acts_push_error" text,
	"last_import_at" timestamp with time zone,
	"last_import_status" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."batches" (
	"source" text NOT NULL,
	"lot" text NOT NULL,
	"fingerprint" text NOT NULL,
	"visit_hashes" jsonb NOT NULL,
	"visit_count" integer NOT NULL,
	"new_visits" integer NOT NULL,
	"state" text NOT NULL,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	CONSTRAINT "batches_source_lot_pk" PRIMARY KEY("source","lot")
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."catalogue" (
	"account" text NOT NULL,
	"lgcv_id" text NOT NULL,
	"name" text NOT NULL,
	"gtin14" text,
	"gtin_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalogue_account_lgcv_id_pk" PRIMARY KEY("account","lgcv_id")
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."editors" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_sealed" text NOT NULL,
	"last_import_at" timestamp with time zone,
	"last_import_status" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."errors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"account" text,
	"operation" text NOT NULL,
	"kind" text NOT NULL,
	"detail" text NOT NULL,
	"retryable" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."mappings" (
	"account" text NOT NULL,
	"vetelevage_id" text NOT NULL,
	"lgcv_id" text NOT NULL,
	"origin" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mappings_account_vetelevage_id_pk" PRIMARY KEY("account","vetelevage_id")
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."seen_products" (
	"account" text NOT NULL,
	"vetelevage_id" text NOT NULL,
	"label" text NOT NULL,
	"gtin14" text,
	"raw_gtin" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "seen_products_account_vetelevage_id_pk" PRIMARY KEY("account","vetelevage_id")
);
--> statement-breakpoint
CREATE TABLE "vet_gateway"."visits" (
	"account" text NOT NULL,
	"visit_id" text NOT NULL,
	"lot" text NOT NULL,
	"date" text NOT NULL,
	"payload" jsonb NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visits_account_visit_id_pk" PRIMARY KEY("account","visit_id")
);
--> statement-breakpoint
CREATE INDEX "errors_open_idx" ON "vet_gateway"."errors" USING btree ("source") WHERE "vet_gateway"."errors"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "visits_account_imported_idx" ON "vet_gateway"."visits" USING btree ("account","imported_at");