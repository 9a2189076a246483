/** The console session, built from the ARCAD360 ID token. */
export interface ArcadSession {
  sub: string;
  name: string;
  /** ARCAD360 roles; `expert` is the privileged account the seed requires for initialisation. */
  roles: string[];
  /** The ARCAD360 tenant the account belongs to. */
  arcadTenant: string;
  /** Seconds since the epoch. */
  exp: number;
}

export const PRIVILEGED_ROLE = 'expert';

/**
 * Why this session may not run initialisation flows on a tenant activated with `arcadTenant`,
 * or null when it may. The seed warns that initialising with any other account causes
 * irreversible errors in ARCAD360.
 */
export function flowRefusal(
  session: ArcadSession | null,
  arcadTenant: string,
  nowSeconds: number,
  action = 'initialisation',
): string | null {
  if (!session) return 'log in with a privileged ARCAD360 account first';
  if (session.exp <= nowSeconds) return 'the ARCAD360 session has expired: log in again';
  if (!session.roles.includes(PRIVILEGED_ROLE))
    return `the ARCAD360 account "${session.name}" is not privileged (expert): ${action} refused`;
  if (session.arcadTenant !== arcadTenant)
    return `the ARCAD360 account belongs to tenant "${session.arcadTenant}", not "${arcadTenant}"`;
  return null;
}
