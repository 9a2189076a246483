ALTER TABLE "doc_converter"."documents" ADD COLUMN "content_size" integer;--> statement-breakpoint
ALTER TABLE "doc_converter"."documents" ADD COLUMN "content_sha256" text;
