import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** PSC's realm path and its non-standard discovery document name. */
export const PSC_REALM_PATH = '/auth/realms/esante-wallet';
const WALLET_DISCOVERY = '/.well-known/wallet-openid-configuration';

/** A test e-CPS holder, with the claims PSC returns for them. */
export interface PscAccount {
  sub: string;
  SubjectNameID: string;
  given_name: string;
  family_name: string;
  /** TRE_G15 profession and TRE_R38 know-how of the first practice. */
  codeProfession: string;
  codeSavoirFaire?: string;
}

export const DEFAULT_PSC_ACCOUNTS: PscAccount[] = [
  {
    sub: 'f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:ANS20240001',
    SubjectNameID: '810001234565',
    given_name: 'Pauline',
    family_name: 'RICART',
    codeProfession: '10',
    codeSavoirFaire: 'SM54',
  },
  {
    sub: 'f:550dc1c8-d97b-4b1e-ac8c-8eb4471cf9dd:ANS20240002',
    SubjectNameID: '810009876540',
    given_name: 'Marc',
    family_name: 'LEROY',
    codeProfession: '10',
    codeSavoirFaire: 'SM02',
  },
];

export interface PscClientRegistration {
  clientId: string;
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  authMethod?: 'client_secret_basic' | 'tls_client_auth';
  /** With `tls_client_auth`: the subject DN its certificate must carry, e.g. "CN=lrm,O=SAMU 44". */
  tlsSubjectDn?: string;
  signedUserinfo?: boolean;
}

/** HTTPS for the simulator, and the CA whose client certificates it accepts (IGC Santé's role). */
export interface PscTls {
  key: string;
  cert: string;
  ca: string;
}

export interface PscSimulatorOptions {
  port?: number;
  /** Port of the "wallet" host that serves the browser pages (authorize, login, logout). */
  walletPort?: number;
  clients: PscClientRegistration[];
  /** Serve HTTPS and accept mTLS client authentication (`tls_client_auth`). */
  tls?: PscTls;
  accounts?: PscAccount[];
  /** Seconds; PSC's access tokens live about 2 minutes. */
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
}

export interface RunningPscSimulator {
  issuer: string;
  url: string;
  /** The separate host of the authorize and end-session endpoints, as PSC's wallet host. */
  walletUrl: string;
  provider: Provider;
  /** Logins completed, for tests that assert a second search needed none. */
  logins(): number;
  close(): Promise<void>;
}

function refPro(account: PscAccount) {
  return {
    codeCivilite: 'MME',
    exercices: [
      {
        codeProfession: account.codeProfession,
        codeCategorieProfessionnelle: 'C',
        codeCiviliteDexercice: 'DR',
        nomDexercice: account.family_name,
        prenomDexercice: account.given_name,
        codeTypeSavoirFaire: account.codeSavoirFaire ? 'S' : '',
        codeSavoirFaire: account.codeSavoirFaire ?? '',
        activities: [
          {
            codeModeExercice: 'S',
            codeSecteurDActivite: 'SA07',
            codeSectionPharmacien: '',
            codeRole: '',
            numeroSiretSite: '',
            numeroSirenSite: '',
            numeroFinessSite: '',
            numeroFinessetablissementJuridique: '',
            identifiantTechniqueDeLaStructure: 'R10100000000001',
            raisonSocialeSite: 'SAMU 44',
            enseigneCommercialeSite: '',
          },
        ],
      },
    ],
  };
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title>` +
  '<style>body{font-family:system-ui;margin:2rem;max-width:40rem}button{margin:.3rem 0;padding:.5rem 1rem}</style>' +
  `</head><body><h1>Pro Santé Connect <small>(simulateur)</small></h1>${body}</body></html>`;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The client certificate of a request, when its TLS connection presented one. */
function peerCertificate(req: IncomingMessage): X509Certificate | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  const raw = socket.getPeerCertificate?.()?.raw;
  return raw ? new X509Certificate(raw) : undefined;
}

/** "CN=a,O=b" and Node's "O=b\nCN=a" name the same subject. */
const dnParts = (dn: string) =>
  dn
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean)
    .sort()
    .join(',');

/** oidc-provider's mTLS hooks read from the TLS socket: verified against the CA, subject compared. */
function mtlsFeature() {
  return {
    enabled: true,
    tlsClientAuth: true,
    getCertificate: (ctx: { req: IncomingMessage }) => peerCertificate(ctx.req)?.toString(),
    certificateAuthorized: (ctx: { req: IncomingMessage }) =>
      (ctx.req.socket as TLSSocket).authorized === true,
    certificateSubjectMatches: (ctx: { req: IncomingMessage }, property: string, expected: string) =>
      property === 'tls_client_auth_subject_dn' &&
      dnParts(peerCertificate(ctx.req)?.subject ?? '') === dnParts(expected),
  };
}

/**
 * A real OpenID provider (oidc-provider) configured like Pro Santé Connect: the realm path, the
 * wallet discovery document (the standard one is absent), browser endpoints on a separate wallet host, `scope_all` with SubjectNameID /
 * SubjectRefPro claims, `acr_values=eidas1`, PKCE S256, 2-minute access tokens, refresh tokens,
 * userinfo as JSON or signed JWT, RP-initiated logout. The login page stands in for e-CPS.
 */
export async function startPscSimulator(options: PscSimulatorOptions): Promise<RunningPscSimulator> {
  const accounts = options.accounts ?? DEFAULT_PSC_ACCOUNTS;
  const tls = options.tls;
  // Client certificates are requested, not required: the browser pages do without one.
  const createServer = () =>
    tls
      ? createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' })
      : createHttpServer();
  const server = createServer();
  const wallet = createServer();
  const listenOn = (srv: typeof server, port: number | undefined) =>
    new Promise<number>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port ?? 0, '127.0.0.1', () => resolve((srv.address() as AddressInfo).port));
    });
  const port = await listenOn(server, options.port);
  const walletPort = await listenOn(wallet, options.walletPort);
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://localhost:${port}`;
  // Another host name, not only another port: browsers share cookies across ports of one host.
  const walletUrl = `${scheme}://127.0.0.1:${walletPort}`;
  const issuer = `${url}${PSC_REALM_PATH}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'psc-sim-1' };
  let logins = 0;

  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: c.authMethod ?? 'client_secret_basic',
      ...(c.tlsSubjectDn ? { tls_client_auth_subject_dn: c.tlsSubjectDn } : {}),
      ...(c.signedUserinfo ? { userinfo_signed_response_alg: 'RS256' } : {}),
    })),
    jwks: { keys: [signingKey as never] },
    // What PSC offers its clients: a secret over Basic, or an IGC Santé certificate.
    clientAuthMethods: ['client_secret_basic', ...(tls ? (['tls_client_auth'] as const) : [])],
    cookies: { keys: [crypto.randomUUID()] },
    scopes: ['openid', 'scope_all'],
    claims: {
      openid: ['sub'],
      scope_all: [
        'SubjectNameID',
        'given_name',
        'family_name',
        'SubjectRefPro',
        'SubjectOrganization',
        'preferred_username',
      ],
    },
    acrValues: ['eidas1'],
    pkce: { required: () => true },
    ttl: {
      AccessToken: options.accessTokenTtl ?? 120,
      IdToken: options.accessTokenTtl ?? 120,
      RefreshToken: options.refreshTokenTtl ?? 1_800,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 4 * 3_600,
      Grant: 4 * 3_600,
    },
    // PSC issues refresh tokens to its confidential clients without offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      ...(tls ? { mTLS: mtlsFeature() } : {}),
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            'Déconnexion',
            `<p>Se déconnecter de Pro Santé Connect ?</p>${form}<button form="op.logoutForm" value="yes" name="logout">Se déconnecter</button>`,
          );
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${PSC_REALM_PATH}/interaction/${interaction.uid}` },
    // The SAS platform is first-party for PSC: no consent screen, the grant is made at login.
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid scope_all');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, id) => {
      const account = accounts.find((a) => a.sub === id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: account.sub,
          SubjectNameID: account.SubjectNameID,
          preferred_username: account.SubjectNameID,
          given_name: account.given_name,
          family_name: account.family_name,
          SubjectRefPro: refPro(account),
          SubjectOrganization: 'SAMU 44',
        }),
      };
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = true;
  // PSC's discovery sends browsers to the wallet host; the back channel stays on the auth host.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'discovery' && ctx.body && typeof ctx.body === 'object') {
      const body = ctx.body as Record<string, string>;
      for (const key of ['authorization_endpoint', 'end_session_endpoint']) {
        if (body[key]) body[key] = body[key].replace(url, walletUrl);
      }
    }
  });
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string) {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && path.endsWith('/login')) {
      const form = await readForm(req);
      const account = accounts.find((a) => a.sub === form.get('account'));
      if (!account) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page('Erreur', '<p>Carte inconnue.</p>'));
        return;
      }
      logins++;
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.sub, acr: 'eidas1', amr: ['mfa'] } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const buttons = accounts
      .map(
        (a) =>
          `<button type="submit" name="account" value="${escapeHtml(a.sub)}">e-CPS ${escapeHtml(a.given_name)} ${escapeHtml(a.family_name)} (${escapeHtml(a.SubjectNameID)})</button><br>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(
      page(
        'Connexion',
        `<p>Application : <b>${escapeHtml(String(details.params.client_id))}</b></p>` +
          `<form method="post" action="${PSC_REALM_PATH}/interaction/${details.uid}/login">${buttons}</form>`,
      ),
    );
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const original = req.url ?? '/';
    if (!original.startsWith(PSC_REALM_PATH)) {
      res.writeHead(404).end();
      return;
    }
    let inner = original.slice(PSC_REALM_PATH.length) || '/';
    if (inner.startsWith('/interaction/')) {
      interaction(req, res, inner.split('?')[0]!).catch((error: unknown) => {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          page('Erreur', `<p>${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`),
        );
      });
      return;
    }
    // PSC publishes its metadata under the wallet name only.
    if (inner.startsWith('/.well-known/openid-configuration')) {
      res.writeHead(404).end();
      return;
    }
    if (inner.startsWith(WALLET_DISCOVERY))
      inner = inner.replace(WALLET_DISCOVERY, '/.well-known/openid-configuration');
    (req as IncomingMessage & { originalUrl: string }).originalUrl = `${PSC_REALM_PATH}${inner}`;
    req.url = inner;
    callback(req, res);
  };
  server.on('request', handle);
  wallet.on('request', handle);

  return {
    issuer,
    url,
    walletUrl,
    provider,
    logins: () => logins,
    close: async () => {
      for (const srv of [server, wallet]) {
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeAllConnections();
        });
      }
    },
  };
}
