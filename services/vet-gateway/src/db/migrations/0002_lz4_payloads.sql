-- Visits and outbox events are JSON of a few KB to a few hundred KB, written once per import:
-- lz4 compresses them several times faster than the default pglz. Servers built without lz4
-- (PGlite) keep the default, which only costs speed.
DO $$
BEGIN
  ALTER TABLE "vet_gateway"."visits" ALTER COLUMN "payload" SET COMPRESSION lz4;
  ALTER TABLE "vet_gateway"."outbox" ALTER COLUMN "payload" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 is not available: payloads keep the default compression';
END $$;
