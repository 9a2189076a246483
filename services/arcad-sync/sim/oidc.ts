import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** An ARCAD360 account of the simulator's identity provider. */
export interface SimAccount {
  login: string;
  password: string;
  name: string;
  roles: string[];
  arcadTenant: string;
}

export interface OidcSimulatorOptions {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  accounts: SimAccount[];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function loginPage(uid: string, error?: string) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>ARCAD360 - connexion</title>
<style>body{font-family:system-ui;background:#eef3f7;display:grid;place-items:center;height:100vh;margin:0}
form{background:#fff;padding:2rem;border-radius:.5rem;display:grid;gap:.6rem;min-width:18rem}.err{color:#b00}</style></head>
<body><form method="post" action="/interaction/${escape(uid)}/login"><h1>arcad360°</h1>
${error ? `<p class="err" role="alert">${escape(error)}</p>` : ''}
<label>Identifiant <input name="login" autocomplete="username" required></label>
<label>Mot de passe <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Se connecter</button></form></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * ARCAD360 as the OpenID Connect provider of "log in with ARCAD": a real oidc-provider with a
 * login page, issuing ID tokens that carry the account's roles and ARCAD tenant.
 */
export async function startOidcSimulator(options: OidcSimulatorOptions) {
  const server: Server = createServer({ keepAliveTimeout: 65_000 });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'sim-1' };
  const accounts = new Map(options.accounts.map((a) => [a.login, a]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: [crypto.randomUUID()] },
    claims: { openid: ['sub'], profile: ['name', 'roles', 'arcad_tenant'] },
    conformIdTokenClaims: false,
    ttl: {
      Interaction: 600,
      Grant: 3600,
      Session: 3600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          name: account.name,
          roles: account.roles,
          arcad_tenant: account.arcadTenant,
        }),
      };
    },
  });
  provider.on('server_error', () => undefined);
  const callback = provider.callback();

  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const match = req.url?.match(/^\/interaction\/([\w-]+)(\/login)?/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
        return;
      }
      const form = await readForm(req);
      const account = accounts.get(form.get('login') ?? '');
      if (!account || account.password !== form.get('password')) {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(loginPage(details.uid, 'Identifiant ou mot de passe incorrect'));
        return;
      }
      const grant = new provider.Grant({
        accountId: account.login,
        clientId: String(details.params.client_id),
      });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.login }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end(`interaction failed: ${(error as Error).message}`);
    }
  });

  return {
    issuer,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
