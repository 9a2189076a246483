ALTER TABLE "vet_gateway"."seen_products" ADD COLUMN "gtin_error" text;--> statement-breakpoint
CREATE TABLE "vet_gateway"."rejected_visits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"account" text,
	"lot" text NOT NULL,
	"position" integer NOT NULL,
	"visit_id" text,
	"raw" jsonb,
	"problems" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "rejected_visits_lot_idx" ON "vet_gateway"."rejected_visits" USING btree ("source","lot","position");--> statement-breakpoint
CREATE INDEX "rejected_visits_account_idx" ON "vet_gateway"."rejected_visits" USING btree ("account");
--> statement-breakpoint
ALTER TABLE "vet_gateway"."errors" ADD COLUMN "rejected_visit_id" bigint;
