/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type AppEnv, AppError } from '@hip/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { accepts } from 'hono/accepts';
import { RefusalPage } from '../../ui/refusal-page.tsx';
import { SearchRefusedError } from './refused.ts';

/** A browser asks for HTML first; API clients (and `*\/*`) keep the problem+json body. */
export function prefersHtml(c: Context): boolean {
  return (
    accepts(c, {
      header: 'Accept',
      supports: ['application/problem+json', 'application/json', 'text/html'],
      default: 'application/problem+json',
    }) === 'text/html'
  );
}

/**
 * Routes a regulator's browser opens (the LRM button, a prepared launch, the PSC callback) answer
 * a refusal with a French page at the same status, instead of the problem+json an API client gets.
 */
export function frenchRefusalPages(): MiddlewareHandler<AppEnv> {
  return async function frenchRefusalPages(c, next) {
    await next();
    const error = c.error;
    if (!(error instanceof AppError)) return;
    c.res.headers.append('Vary', 'Accept');
    if (!prefersHtml(c)) return;
    const page = (
      <RefusalPage
        code={error.code}
        detail={error.detail}
        problems={error instanceof SearchRefusedError ? error.problems : []}
        requestId={c.get('requestId')}
      />
    );
    c.res = new Response(`${await page}`, {
      status: c.res.status,
      headers: { 'content-type': 'text/html; charset=utf-8', vary: 'Accept' },
    });
  };
}
