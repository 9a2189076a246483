-- The live flows look LIVIA ids up by ARCAD id (which resident is this client, which activity is
-- this service) on every message: without this index each lookup scans the tenant's sync rows.
CREATE INDEX IF NOT EXISTS "live_sync_by_arcad_id_idx" ON "arcad_sync"."sync" ("tenant","entity","arcad_id");
