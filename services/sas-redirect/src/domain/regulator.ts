/** The regulator as Pro Santé Connect describes them, reduced to what the session needs. */
export interface Regulator {
  /** `SubjectNameID`: the national id, "8" + RPPS for RPPS holders. */
  nationalId: string;
  /** TRE_G15 profession code of the first practice (`SubjectRefPro.exercices[0].codeProfession`). */
  profession?: string;
  /** TRE_R38 know-how of that practice, when there is one. */
  specialty?: string;
  displayName?: string;
}

type Claims = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * Reads PSC claims (userinfo, JSON or verified JWT). `SubjectNameID` is required: without it the
 * SAS cannot match the regulator, so a login without it is refused rather than half-made.
 */
export function regulatorFromClaims(claims: Claims): Regulator | { error: string } {
  // Not `preferred_username`: PSC does not promise it is the national id.
  const nationalId = str(claims.SubjectNameID);
  if (!nationalId) return { error: 'Pro Santé Connect answered without SubjectNameID (national id)' };
  const refPro = claims.SubjectRefPro as {
    exercices?: { codeProfession?: unknown; codeSavoirFaire?: unknown }[];
  };
  const practice = Array.isArray(refPro?.exercices) ? refPro.exercices[0] : undefined;
  const name = [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ');
  const profession = str(practice?.codeProfession);
  const specialty = str(practice?.codeSavoirFaire);
  return {
    nationalId,
    ...(profession ? { profession } : {}),
    ...(specialty ? { specialty } : {}),
    ...(name ? { displayName: name } : {}),
  };
}
