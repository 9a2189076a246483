import type { z } from 'zod';
import type { Bus } from './bus/types.ts';
import type { BaseConfig } from './config.ts';
import type { DatabaseHandle } from './db/types.ts';
import type { Logger } from './log.ts';

/** What the platform hands a service: its config, a logger, the bus and the database. */
export interface ServiceContext<C> {
  config: C & BaseConfig;
  logger: Logger;
  bus: Bus;
  database: DatabaseHandle;
}

/** A started service: its HTTP app and how to stop its consumers and timers. */
export interface ServiceInstance {
  app: { fetch: (request: Request) => Response | Promise<Response> };
  stop(): Promise<void>;
}

/** Simulators of a service's outside systems, started for the demo platform (`pnpm start`). */
export interface RunningSimulators {
  /** Variables pointing the service at the simulators; explicitly set variables win. */
  env: Record<string, string>;
  /** One line per simulator for the start log and the index page, e.g. "PSC simulator: http://localhost:9101". */
  links: { label: string; url: string }[];
  /**
   * Demo accounts and keys a newcomer needs (a login and password of a simulator, an API key the
   * simulators use), shown on the index page and in the README. Never real secrets.
   */
  credentials?: { label: string; value: string }[];
  stop(): Promise<void>;
}

/**
 * A service as the platform runs it, alone (`src/main.ts`) or with the others in one process
 * (`pnpm start`). `create` applies migrations, subscribes and starts timers; it must not
 * listen on a port: the runner does.
 */
export interface ServiceDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** Port used when `PORT` is not set. */
  defaultPort: number;
  /** The service's own environment variables (the base ones are added by the runner). */
  configSchema: S;
  create(context: ServiceContext<z.infer<S>>): Promise<ServiceInstance>;
  /**
   * Starts faithful simulators of the outside systems (over real HTTP/AMQP) for the single-process
   * platform, before `create`. Never used in production: there the variables point at the real systems.
   */
  simulators?(context: {
    logger: Logger;
    /** The platform's environment, plus the variables of the simulators started before this one. */
    env: Record<string, string | undefined>;
    /**
     * First port of the simulators' range (`SIMULATOR_PORTS`, 9100): each service takes its own
     * block of ten from it (arcad-sync +10, hub-bridge +20, sas-redirect +30, vet-gateway +40).
     */
    portBase: number;
  }): Promise<RunningSimulators>;
}

/** Identity function that keeps the config type of a service definition. */
export function defineService<S extends z.ZodObject>(definition: ServiceDefinition<S>): ServiceDefinition<S> {
  return definition;
}
