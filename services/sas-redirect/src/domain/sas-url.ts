import type { SearchContext } from './context.ts';
import { practitionerUrn } from './rpps.ts';
import { specialtyParam } from './specialty.ts';

/** The SAS results page the LRM button leads to. */
export const SAS_SEARCH_PATH = 'sas/recherche';

function searchUrl(sasBaseUrl: string, params: [string, string | undefined][]): string {
  const base = sasBaseUrl.endsWith('/') ? sasBaseUrl : `${sasBaseUrl}/`;
  const url = new URL(SAS_SEARCH_PATH, base);
  const query = new URLSearchParams();
  for (const [name, value] of params) if (value !== undefined && value !== '') query.append(name, value);
  // URLSearchParams writes spaces as "+"; %20 reads the same in every decoder ("+" itself is %2B).
  url.search = query.toString().replaceAll('+', '%20');
  return url.toString();
}

/**
 * The contextual search URL in the SAS's plain-parameter form:
 * `/sas/recherche?origin=..&streetnumber=..&streetname=..&inseecode=..&city=..&specialty=..&practitioner=..`.
 * `|` and `:` of the URNs are percent-encoded.
 */
export function buildSasSearchUrl(sasBaseUrl: string, context: SearchContext): string {
  return searchUrl(sasBaseUrl, [
    ['origin', context.origin],
    ['streetnumber', context.address.streetnumber],
    ['streetname', context.address.streetname],
    ['inseecode', context.address.inseecode],
    ['city', context.address.city],
    ['specialty', specialtyParam(context.specialty)],
    ['practitioner', context.practitioner ? practitionerUrn(context.practitioner.rpps) : undefined],
  ]);
}

/** The token-mode URL: no patient data, only a short-lived token the SAS redeems server-to-server. */
export function buildSasTokenUrl(sasBaseUrl: string, token: string): string {
  return searchUrl(sasBaseUrl, [['token', token]]);
}
