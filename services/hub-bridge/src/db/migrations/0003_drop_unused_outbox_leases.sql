DROP TABLE "hub_bridge"."leases" CASCADE;--> statement-breakpoint
DROP TABLE "hub_bridge"."outbox" CASCADE;