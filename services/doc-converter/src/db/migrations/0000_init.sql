CREATE SCHEMA "doc_converter";
--> statement-breakpoint
CREATE TABLE "doc_converter"."bus_rejects" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"msg_id" text,
	"reason" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_converter"."documents" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"doctor_id" text NOT NULL,
	"centre_id" text NOT NULL,
	"windows_login" text NOT NULL,
	"patient" jsonb NOT NULL,
	"document_created_at" text NOT NULL,
	"media_type" text NOT NULL,
	"content_bucket" text NOT NULL,
	"content_object" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"output_path" text,
	"sha256" text,
	"bytes" integer,
	"pages" integer,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_converter"."intake_files" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"line" integer,
	"column" integer,
	"repairs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_converter"."leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "doc_converter"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"msg_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE INDEX "documents_status_idx" ON "doc_converter"."documents" USING btree ("status","doctor_id");--> statement-breakpoint
CREATE INDEX "documents_received_idx" ON "doc_converter"."documents" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "documents_parked_idx" ON "doc_converter"."documents" USING btree ("doctor_id") WHERE "doc_converter"."documents"."status" in ('missing-signature', 'missing-letterhead');--> statement-breakpoint
CREATE INDEX "intake_files_received_idx" ON "doc_converter"."intake_files" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "doc_converter"."outbox" USING btree ("id") WHERE "doc_converter"."outbox"."sent_at" is null;