import type { Visit } from '../adapters/vetelevage/contract.ts';

export type BillingLineStatus = 'ok' | 'unmapped_product' | 'unknown_act';

/** One line the LGCV can bill: an act or a product of a visit (vet, herd, date: see VisitLines). */
export interface BillingLine {
  line: number;
  kind: 'act' | 'product';
  /** The LGCV's own act code, as Vétélevage returned it. */
  actCode: string | null;
  vetelevageProductId: string | null;
  /** The LGCV product, when the Vétélevage product is mapped. */
  lgcvProductId: string | null;
  label: string;
  quantity: number;
  unit: string;
  animals: string[];
  status: BillingLineStatus;
  /** Why the line cannot be billed as is; null when status is ok. */
  flag: string | null;
}

export interface BillingContext {
  /** Vétélevage product id -> LGCV product id. */
  mappings: ReadonlyMap<string, string>;
  /** Codes of the LGCV act list; null when the LGCV never sent one (nothing to check against). */
  actCodes: ReadonlySet<string> | null;
}

/**
 * The billing lines of a visit. Nothing is dropped: a product without mapping or an act code the
 * LGCV does not know still gives a line, flagged, so the vet sees it and fixes the mapping once.
 */
/** A visit as the LGCV bills it: what the lines share once, then the lines. */
export interface VisitLines {
  visitId: string;
  account: string;
  date: string;
  veterinarian: { id: string; name: string };
  herd: { number: string; name: string };
  /** Lines that need attention before billing. */
  flagged: number;
  lines: BillingLine[];
}

export function visitLinesOf(visit: Visit, context: BillingContext): VisitLines {
  const lines = billingLinesOf(visit, context);
  let flagged = 0;
  for (const line of lines) if (line.status !== 'ok') flagged++;
  return {
    visitId: visit.id,
    account: visit.compte,
    date: visit.date,
    veterinarian: { id: visit.veterinaire.id, name: visit.veterinaire.nom },
    herd: { number: visit.elevage.numero, name: visit.elevage.nom },
    flagged,
    lines,
  };
}

export function billingLinesOf(visit: Visit, context: BillingContext): BillingLine[] {
  // Literal lines of one shape (no spread): every imported line goes through here.
  const lines: BillingLine[] = [];
  for (const act of visit.actes) {
    const known = context.actCodes === null || context.actCodes.has(act.code);
    lines.push({
      line: lines.length + 1,
      kind: 'act',
      actCode: act.code,
      vetelevageProductId: null,
      lgcvProductId: null,
      label: act.code,
      quantity: act.quantite,
      unit: 'acte',
      animals: act.animaux,
      status: known ? 'ok' : 'unknown_act',
      flag: known ? null : `act code "${act.code}" is not in the LGCV act list`,
    });
  }
  for (const product of visit.produits) {
    const lgcvProductId = context.mappings.get(product.id) ?? null;
    lines.push({
      line: lines.length + 1,
      kind: 'product',
      actCode: null,
      vetelevageProductId: product.id,
      lgcvProductId,
      label: product.libelle,
      quantity: product.quantite,
      unit: product.unite,
      animals: product.animaux,
      status: lgcvProductId ? 'ok' : 'unmapped_product',
      flag: lgcvProductId ? null : `Vétélevage product ${product.id} is not mapped to an LGCV product`,
    });
  }
  return lines;
}
