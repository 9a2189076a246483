import type { Bus, Database, Logger, ReadinessCheck } from '@hip/shared';
import type { PscClient } from './adapters/psc.ts';
import type { AppointmentService } from './appointments/service.ts';
import type { ContextStore } from './contexts/pending.ts';
import type { RedirectLog } from './contexts/redirect-log.ts';
import type { SpecialtyTable } from './domain/specialty.ts';
import type { OfferService } from './offer/service.ts';
import type { SessionStore } from './sso/sessions.ts';

export interface AppSettings {
  origins: ReadonlySet<string>;
  sasBaseUrl: string;
  /** Our own public URL: OIDC redirect URI, token issuer, launch URLs. */
  publicBaseUrl: string;
  redirectMode: 'plain' | 'token';
  /** Bearer the SAS presents to redeem a token-mode context; unset = redeeming disabled. */
  sasContextApiKey?: string;
  /** Bearer the LRM presents to POST /contexts and read appointments; unset = open (demo only). */
  lrmApiKey?: string;
  sessionCookie: string;
  sessionMaxAgeSeconds: number;
}

export interface AppDeps {
  logger: Logger;
  bus: Bus;
  db: Database;
  readiness: Record<string, ReadinessCheck>;
  settings: AppSettings;
  specialties: SpecialtyTable;
  contexts: ContextStore;
  redirectLog: RedirectLog;
  /** Present when Pro Santé Connect is configured; without it, no SSO step before the redirect. */
  sso?: { psc: PscClient; sessions: SessionStore };
  appointments: AppointmentService;
  offer: OfferService;
}
