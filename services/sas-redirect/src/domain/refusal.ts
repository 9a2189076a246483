/**
 * Why a search context is refused, with the values a person needs to fix it. The API answers
 * with the English `message` next to each refusal; the regulator's browser shows the same
 * refusal in French (`src/ui/refusal-fr.ts`), so every rule is named once, here.
 */
export type Refusal =
  | { rule: 'origin-missing' }
  | { rule: 'origin-unknown'; value: string }
  | { rule: 'address-and-fields' }
  | { rule: 'one-line-address-without-city'; value: string }
  | { rule: 'postal-code-length'; value: string }
  | { rule: 'street-number-without-digit'; value: string }
  | { rule: 'street-number-without-street-name' }
  | { rule: 'insee-code-format'; value: string }
  | { rule: 'insee-code-corsica'; value: string }
  | { rule: 'insee-code-not-a-district'; value: string; city: string; first: string; last: string }
  | { rule: 'no-city' }
  | { rule: 'practitioner-urn-prefix'; value: string; prefix: string }
  | { rule: 'practitioner-urn-suffix'; value: string }
  | { rule: 'practitioner-format'; value: string }
  | { rule: 'rpps-key'; value: string; expectedKey: string }
  | { rule: 'too-long'; max: number }
  | { rule: 'misspelled-parameter'; name: string; meant: string }
  | { rule: 'invalid-parameter' };

/** One refused field: the parameter, the English message of the API, and the rule behind it. */
export interface ContextProblem {
  field: string;
  message: string;
  refusal: Refusal;
}
