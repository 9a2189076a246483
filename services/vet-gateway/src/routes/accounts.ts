import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../app.ts';
import { accounts, editors, errors } from '../db/schema.ts';
import { buildDirectWebLink } from '../domain/weblink.ts';
import { accountErrors } from '../store/errors.ts';
import { AccountParams, IdSchema, requireAccount } from './params.ts';

const ErrorEntry = z
  .object({
    id: z.number(),
    source: z.string(),
    account: z.string().nullable(),
    operation: z.string().openapi({ example: 'import' }),
    kind: z.string().openapi({ example: 'http_503' }),
    detail: z.string(),
    retryable: z.boolean(),
    at: z.string(),
    rejectedVisitId: z
      .number()
      .nullable()
      .describe('visit_rejected: the kept visit (GET /accounts/{account}/rejected-visits)'),
  })
  .openapi('ImportError');

const AccountView = z
  .object({
    id: z.string(),
    mode: z.enum(['veterinaire', 'saas']),
    editorId: z.string().nullable(),
    label: z.string().nullable(),
    lastImportAt: z.string().nullable(),
    lastImportStatus: z.string().nullable(),
    actsPushedAt: z.string().nullable(),
    actsPushError: z.string().nullable(),
    openErrors: z.number().int(),
  })
  .openapi('Account');

const RegisterAccount = z
  .discriminatedUnion('mode', [
    z.object({
      mode: z.literal('veterinaire'),
      login: z.string().min(1),
      password: z.string().min(1),
      editor: IdSchema.optional().describe('editor signing direct web links for this account'),
      label: z.string().max(200).optional(),
    }),
    z.object({ mode: z.literal('saas'), editor: IdSchema, label: z.string().max(200).optional() }),
  ])
  .openapi('RegisterAccount');

const ImportResultSchema = z
  .object({
    source: z.string(),
    status: z.enum(['ok', 'busy', 'failed', 'held']),
    batches: z.number().int(),
    visitsSeen: z.number().int(),
    visitsNew: z.number().int(),
    visitsUpdated: z.number().int().describe('visits stored earlier that came back changed'),
    visitsRejected: z.number().int().describe('visits not matching the contract, kept aside'),
    error: z.string().optional(),
  })
  .openapi('ImportResult');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function registerAccountRoutes(app: ServiceApp, deps: AppDeps): void {
  const { db } = deps;
  const box = () => {
    if (!deps.secrets)
      throw new AppError(
        'UNAVAILABLE',
        'VET_SECRETS_KEY is not set: credentials cannot be stored encrypted, so they are refused',
      );
    return deps.secrets;
  };

  app.openapi(
    createRoute({
      method: 'put',
      path: '/editors/{editor}',
      tags: ['Accounts'],
      summary: 'Register the LGCV editor credentials for SaaS mode (secret encrypted at rest)',
      request: {
        params: z.object({ editor: IdSchema.openapi({ param: { name: 'editor', in: 'path' } }) }),
        body: {
          content: { 'application/json': { schema: z.object({ secret: z.string().min(1) }) } },
          required: true,
        },
      },
      responses: {
        200: {
          description: 'Stored',
          content: { 'application/json': { schema: z.object({ id: z.string() }) } },
        },
        ...errorResponses('UNAVAILABLE'),
      },
    }),
    async (c) => {
      const { editor } = c.req.valid('param');
      const secretSealed = await box().seal(c.req.valid('json').secret, `editor:${editor}`);
      await db
        .insert(editors)
        .values({ id: editor, secretSealed })
        .onConflictDoUpdate({ target: editors.id, set: { secretSealed } });
      return c.json({ id: editor }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/accounts/{account}',
      tags: ['Accounts'],
      summary:
        'Link a Vétélevage account: veterinarian mode (its own credentials) or SaaS mode (through an editor)',
      request: {
        params: AccountParams,
        body: { content: { 'application/json': { schema: RegisterAccount } }, required: true },
      },
      responses: {
        200: {
          description: 'Linked',
          content: { 'application/json': { schema: z.object({ id: z.string(), mode: z.string() }) } },
        },
        ...errorResponses('UNAVAILABLE', 'UNPROCESSABLE'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.mode === 'saas' || body.editor) {
        const [editor] = await db
          .select({ id: editors.id })
          .from(editors)
          .where(eq(editors.id, body.editor ?? ''));
        if (!editor)
          throw new AppError(
            'UNPROCESSABLE',
            `editor ${body.editor} is not registered (PUT /editors/${body.editor} first)`,
            { errors: [{ path: '/editor', message: 'unknown editor' }] },
          );
      }
      const values =
        body.mode === 'veterinaire'
          ? {
              mode: body.mode,
              login: body.login,
              passwordSealed: await box().seal(body.password, `account:${account}`),
              editorId: body.editor ?? null,
              label: body.label ?? null,
            }
          : {
              mode: body.mode,
              login: null,
              passwordSealed: null,
              editorId: body.editor,
              label: body.label ?? null,
            };
      await db
        .insert(accounts)
        .values({ id: account, ...values })
        .onConflictDoUpdate({ target: accounts.id, set: values });
      return c.json({ id: account, mode: body.mode }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts',
      tags: ['Accounts'],
      summary: 'Linked accounts with their last import and open errors',
      responses: {
        200: {
          description: 'Accounts',
          content: { 'application/json': { schema: z.object({ accounts: z.array(AccountView) }) } },
        },
        ...errorResponses(),
      },
    }),
    async (c) => c.json({ accounts: await listAccounts(deps) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/errors',
      tags: ['Accounts'],
      summary: 'Open errors of the account (import, act push), newest first',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Errors',
          content: { 'application/json': { schema: z.object({ errors: z.array(ErrorEntry) }) } },
        },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const list = await accountErrors(db, await requireAccount(db, account));
      return c.json({ errors: list.map((e) => ({ ...e, at: e.at.toISOString() })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/accounts/{account}/errors/{id}/resolve',
      tags: ['Accounts'],
      summary:
        'Mark an error as seen: for what a later success does not resolve (batch_changed, visit_rejected)',
      request: {
        params: AccountParams.extend({
          id: z.coerce
            .number()
            .int()
            .positive()
            .openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
        }),
      },
      responses: {
        200: {
          description: 'Resolved',
          content: { 'application/json': { schema: z.object({ id: z.number().int() }) } },
        },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account, id } = c.req.valid('param');
      const open = await accountErrors(db, await requireAccount(db, account));
      if (!open.some((e) => e.id === id))
        throw new AppError('NOT_FOUND', `account ${account} has no open error ${id}`);
      await db.update(errors).set({ resolvedAt: new Date() }).where(eq(errors.id, id));
      return c.json({ id }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/accounts/{account}/import',
      tags: ['Import'],
      summary:
        'Import now (SaaS accounts: the grouped batch of their editor). 409 when another replica is importing it',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Import finished (status says how)',
          content: { 'application/json': { schema: ImportResultSchema } },
        },
        ...errorResponses('NOT_FOUND', 'CONFLICT'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const source = await deps.sessions.sourceOfAccount(account);
      const result = await deps.importer.importSource(source);
      if (result.status === 'busy')
        throw new AppError(
          'CONFLICT',
          `${result.source} is being imported by another replica; try again shortly`,
        );
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/web-link',
      tags: ['Accounts'],
      summary: 'Direct web authentication link opening the account in Vétélevage',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Link',
          content: { 'application/json': { schema: z.object({ url: z.string() }) } },
        },
        ...errorResponses('NOT_FOUND', 'CONFLICT', 'UNAVAILABLE'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const row = await requireAccount(db, account);
      if (!deps.webUrl) throw new AppError('UNAVAILABLE', 'VETELEVAGE_WEB_URL is not set');
      if (!row.editorId)
        throw new AppError(
          'CONFLICT',
          `account ${account} has no editor to sign a direct link; register it with "editor"`,
        );
      const [editor] = await db.select().from(editors).where(eq(editors.id, row.editorId));
      if (!editor) throw new AppError('CONFLICT', `editor ${row.editorId} is not registered`);
      const secret = await box().open(editor.secretSealed, `editor:${editor.id}`);
      const url = await buildDirectWebLink({
        webUrl: deps.webUrl,
        editor: editor.id,
        editorSecret: secret,
        account,
        now: new Date(),
      });
      return c.json({ url }, 200);
    },
  );
}

export async function listAccounts(deps: Pick<AppDeps, 'db'>) {
  const { db } = deps;
  const rows = await db.select().from(accounts).orderBy(asc(accounts.id));
  const counts = await db
    .select({ source: errors.source, n: sql<number>`count(*)::int` })
    .from(errors)
    .where(isNull(errors.resolvedAt) as SQL)
    .groupBy(errors.source);
  const bySource = new Map(counts.map((r) => [r.source, r.n]));
  return rows.map((r) => ({
    id: r.id,
    mode: r.mode,
    editorId: r.editorId,
    label: r.label,
    lastImportAt: iso(r.lastImportAt),
    lastImportStatus: r.lastImportStatus,
    actsPushedAt: iso(r.actsPushedAt),
    actsPushError: r.actsPushError,
    openErrors:
      (bySource.get(`account:${r.id}`) ?? 0) +
      (r.mode === 'saas' ? (bySource.get(`editor:${r.editorId}`) ?? 0) : 0),
  }));
}
