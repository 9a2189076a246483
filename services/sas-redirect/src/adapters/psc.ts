import * as oidc from 'openid-client';

/** Where PSC publishes its metadata: not the standard OpenID path. */
export const PSC_DISCOVERY_PATH = '/.well-known/wallet-openid-configuration';
export const PSC_SCOPE = 'openid scope_all';

export interface PscSettings {
  issuer: string;
  clientId: string;
  /** client_secret_basic when set; mTLS (`tls_client_auth`) otherwise, then `fetch` presents the certificate. */
  clientSecret?: string;
  /** The fetch of every PSC call: one presenting the IGC Santé client certificate for mTLS. */
  fetch?: typeof fetch;
  acrValues: string;
  /** Ask for the userinfo as a signed JWT (RS256), as PSC can answer. */
  signedUserinfo: boolean;
  /** Plain http issuers, for local simulators only. */
  allowHttp: boolean;
  timeoutMs?: number;
}

export interface LoginStart {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface PscTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Seconds, as the server says (PSC: about 120). */
  expiresIn: number;
  subject?: string;
}

/** Pro Santé Connect as the service uses it, behind an interface so tests can see each step. */
export interface PscClient {
  beginLogin(redirectUri: string): Promise<LoginStart>;
  completeLogin(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<PscTokens>;
  refresh(refreshToken: string): Promise<PscTokens>;
  userinfo(accessToken: string, subject: string | undefined): Promise<Record<string, unknown>>;
  logoutUrl(idToken: string | undefined, postLogoutRedirectUri: string): Promise<string | undefined>;
  /** Fetches the discovery document: for readiness. */
  ping(): Promise<void>;
}

/** Raised for every PSC failure, with the step that failed. */
export class PscError extends Error {
  override name = 'PscError';
  constructor(
    readonly step: 'discovery' | 'callback' | 'token' | 'refresh' | 'userinfo',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`Pro Santé Connect ${step}: ${message}`, options);
  }
}

/**
 * True when PSC itself refused a refresh token (OAuth `invalid_grant`: expired, revoked or already
 * used). A timeout or a server error is not a refusal: the session may still be alive at PSC.
 */
export function isRefreshRefused(e: unknown): boolean {
  for (let at: unknown = e, depth = 0; at instanceof Error && depth < 4; depth++) {
    if ((at as { error?: unknown }).error === 'invalid_grant') return true;
    at = at.cause;
  }
  return false;
}

/** The error and its causes in one line: openid-client's own message is generic ("invalid response"). */
function describe(e: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = e, depth = 0; at !== undefined && depth < 4; depth++) {
    if (!(at instanceof Error)) {
      parts.push(String(at));
      break;
    }
    const { code, error, error_description } = at as {
      code?: string;
      error?: string;
      error_description?: string;
    };
    // PSC's own OAuth error (invalid_client, invalid_grant...) says more than the library's message.
    const oauth = error ? `: ${error}${error_description ? ` (${error_description})` : ''}` : '';
    parts.push(`${at.message}${code ? ` (${code})` : ''}${oauth}`);
    at = at.cause instanceof Error ? at.cause : undefined;
  }
  return parts.join(': ');
}

/**
 * openid-client v6 configured by PSC's own discovery document. The configuration is cached;
 * a failed discovery is retried on the next use, so PSC being down at start does not stop us.
 */
export function createPscClient(settings: PscSettings): PscClient {
  let configuration: Promise<oidc.Configuration> | undefined;
  const timeoutMs = settings.timeoutMs ?? 5_000;

  async function discover(): Promise<oidc.Configuration> {
    const url = new URL(`${settings.issuer.replace(/\/$/, '')}${PSC_DISCOVERY_PATH}`);
    const doFetch = settings.fetch ?? fetch;
    let metadata: oidc.ServerMetadata;
    try {
      const response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
      metadata = (await response.json()) as oidc.ServerMetadata;
    } catch (error) {
      throw new PscError('discovery', describe(error), { cause: error });
    }
    if (metadata.issuer !== settings.issuer) {
      throw new PscError(
        'discovery',
        `issuer "${metadata.issuer}" differs from the configured "${settings.issuer}"`,
      );
    }
    const clientMetadata: Partial<oidc.ClientMetadata> = settings.signedUserinfo
      ? { userinfo_signed_response_alg: 'RS256' }
      : {};
    if (settings.clientSecret) clientMetadata.client_secret = settings.clientSecret;
    const config = new oidc.Configuration(
      metadata,
      settings.clientId,
      clientMetadata,
      settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.TlsClientAuth(),
    );
    if (settings.fetch) config[oidc.customFetch] = settings.fetch as never;
    config.timeout = Math.ceil(timeoutMs / 1000);
    if (settings.allowHttp) oidc.allowInsecureRequests(config);
    // openid-client trusts TLS for the ID token and the userinfo JWT unless told otherwise: check
    // their signatures against PSC's JWKS, so a forged or altered token is refused.
    oidc.enableNonRepudiationChecks(config);
    return config;
  }

  const configured = () => {
    configuration ??= discover().catch((error) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };

  const tokensOf = (r: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): PscTokens => ({
    accessToken: r.access_token,
    ...(r.refresh_token ? { refreshToken: r.refresh_token } : {}),
    ...(r.id_token ? { idToken: r.id_token } : {}),
    expiresIn: r.expiresIn() ?? 60,
    ...(r.claims()?.sub ? { subject: r.claims()!.sub } : {}),
  });

  return {
    async beginLogin(redirectUri) {
      const config = await configured();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: PSC_SCOPE,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        acr_values: settings.acrValues,
      });
      return { url: url.toString(), state, nonce, codeVerifier };
    },
    async completeLogin(callbackUrl, checks) {
      const config = await configured();
      let response: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        response = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw new PscError('token', describe(error), { cause: error });
      }
      // The SAS needs a card-based (eIDAS substantial) login; a weaker one is not a regulator login.
      const acr = response.claims()?.acr;
      if (settings.acrValues && !settings.acrValues.split(' ').includes(String(acr))) {
        throw new PscError(
          'token',
          `ID token acr "${acr ?? ''}" is not the requested "${settings.acrValues}"`,
        );
      }
      return tokensOf(response);
    },
    async refresh(refreshToken) {
      const config = await configured();
      try {
        return tokensOf(await oidc.refreshTokenGrant(config, refreshToken));
      } catch (error) {
        throw new PscError('refresh', describe(error), { cause: error });
      }
    },
    async userinfo(accessToken, subject) {
      const config = await configured();
      try {
        return (await oidc.fetchUserInfo(config, accessToken, subject ?? oidc.skipSubjectCheck)) as Record<
          string,
          unknown
        >;
      } catch (error) {
        throw new PscError('userinfo', describe(error), { cause: error });
      }
    },
    async logoutUrl(idToken, postLogoutRedirectUri) {
      const config = await configured();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return oidc
        .buildEndSessionUrl(config, {
          post_logout_redirect_uri: postLogoutRedirectUri,
          ...(idToken ? { id_token_hint: idToken } : { client_id: settings.clientId }),
        })
        .toString();
    },
    async ping() {
      await configured();
    },
  };
}
