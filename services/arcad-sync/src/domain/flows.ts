import type { EntityKind } from './liviaEntities.ts';

/** The seven initialisation flows of the interface, in the seed's dependency order. */
export const flowIds = ['I.1', 'I.2', 'I.3', 'I.4', 'I.5', 'I.6', 'I.7'] as const;
export type FlowId = (typeof flowIds)[number];

export interface FlowDefinition {
  id: FlowId;
  label: string;
  /** Entity kinds whose sync rows this flow owns (and whose errors it must clear). */
  entities: EntityKind[];
  parents: FlowId[];
}

export const flowDefinitions: Record<FlowId, FlowDefinition> = {
  'I.1': { id: 'I.1', label: 'Professional identities', entities: ['user'], parents: [] },
  'I.2': { id: 'I.2', label: 'Establishments', entities: ['establishment'], parents: [] },
  'I.3': { id: 'I.3', label: 'Activities', entities: ['activity'], parents: ['I.2'] },
  'I.4': { id: 'I.4', label: 'Resident identities', entities: ['resident'], parents: [] },
  'I.5': { id: 'I.5', label: 'Records', entities: ['record'], parents: ['I.3', 'I.4'] },
  'I.6': { id: 'I.6', label: 'Family contacts', entities: ['family_contact'], parents: ['I.4'] },
  'I.7': {
    id: 'I.7',
    label: 'Professional contacts',
    entities: ['intervenant', 'intervenant_link'],
    parents: ['I.4'],
  },
};

export const flowOfEntity = (entity: EntityKind): FlowId =>
  (Object.values(flowDefinitions).find((f) => f.entities.includes(entity)) as FlowDefinition).id;

export interface ParentState {
  /** At least one run of the flow went to its end. */
  completed: boolean;
  running: boolean;
  unresolvedErrors: number;
}

/**
 * Why a flow cannot start yet, or null when it can. A parent must have run to its end with every
 * error resolved: the seed warns that a child run on an incomplete parent gives an incomplete
 * initialisation.
 */
export function lockReason(flow: FlowId, states: Record<FlowId, ParentState>): string | null {
  if (states[flow].running) return `${flow} is already running`;
  const reasons: string[] = [];
  for (const parent of flowDefinitions[flow].parents) {
    const state = states[parent];
    if (state.running) reasons.push(`${parent} is running`);
    else if (!state.completed) reasons.push(`${parent} (${flowDefinitions[parent].label}) has not run yet`);
    else if (state.unresolvedErrors > 0)
      reasons.push(`${parent} has ${state.unresolvedErrors} unresolved error(s)`);
  }
  return reasons.length ? `locked: ${reasons.join('; ')}` : null;
}

/**
 * What the rows of a flow left `sending` mean. While a live run of the flow is sending them they
 * are in flight, not errors; once no run holds them (the run stopped, its process died) nobody
 * knows whether ARCAD created them: they are unresolved, "outcome unknown", until a retry looks
 * them up.
 */
export function unresolvedOf(rows: { error: number; sending: number }, flowRunning: boolean) {
  return flowRunning
    ? { unresolvedErrors: rows.error, inFlight: rows.sending }
    : { unresolvedErrors: rows.error + rows.sending, inFlight: 0 };
}

/** A flow's totals over every run it had: the initial run(s) and the retries of the error manager. */
export interface FlowTotals {
  runs: number;
  retryRuns: number;
  /** Entities ARCAD360 holds thanks to this flow (created, or found there after a lost answer). */
  sent: number;
  /** Of those, sent by a retry of the error manager. */
  sentByRetries: number;
  /** Failed attempts along the way (an entity failing twice counts twice). */
  failures: number;
  /** Held back by the latest full run (deceased residents, parents not synchronised...). */
  heldBack: number;
}

/** Sums the runs of one flow, oldest first: "last run" alone would forget the initial run after a retry. */
export function flowTotals(
  runs: { mode: 'full' | 'retry'; sent: number; errors: number; skipped: number }[],
): FlowTotals {
  const totals: FlowTotals = { runs: 0, retryRuns: 0, sent: 0, sentByRetries: 0, failures: 0, heldBack: 0 };
  for (const run of runs) {
    totals.runs++;
    totals.sent += run.sent;
    totals.failures += run.errors;
    if (run.mode === 'retry') {
      totals.retryRuns++;
      totals.sentByRetries += run.sent;
    } else totals.heldBack = run.skipped;
  }
  return totals;
}
