import { AppError, type ErrorCode } from '@hip/shared';
import type { ContextProblem } from '../../domain/refusal.ts';

/**
 * A refused search, carrying the rule behind each refused field so that the regulator's browser
 * can be told in French what to fix (the API body stays the platform's problem+json).
 */
export class SearchRefusedError extends AppError {
  override name = 'SearchRefusedError';
  readonly problems: ContextProblem[];

  constructor(
    code: ErrorCode,
    detail: string,
    problems: ContextProblem[],
    /** Whether the problem+json body lists the fields (`errors[]`); a 403 names the origin in its detail only. */
    options: { listFields?: boolean } = {},
  ) {
    super(code, detail, {
      errors:
        options.listFields === false
          ? []
          : problems.map((p) => ({ path: `/${p.field}`, message: p.message })),
    });
    this.problems = problems;
  }
}
