import * as oidc from 'openid-client';

export interface ArcadIdentity {
  sub: string;
  name: string;
  roles: string[];
  arcadTenant: string;
}

/** A started login: what the callback needs to check the answer (kept in a signed cookie). */
export interface PendingLogin {
  state: string;
  verifier: string;
  next: string;
}

/** "Log in with ARCAD": the authorization code flow with PKCE against ARCAD360's OpenID provider. */
export interface ArcadLogin {
  begin(next: string): Promise<{ url: string; pending: PendingLogin }>;
  finish(callbackUrl: URL, pending: PendingLogin): Promise<ArcadIdentity>;
}

export function createArcadLogin(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}): ArcadLogin {
  let discovered: Promise<oidc.Configuration> | null = null;
  const configuration = () => {
    discovered ??= oidc
      .discovery(
        new URL(options.issuer),
        options.clientId,
        options.clientSecret,
        undefined,
        // The simulator (and only it) speaks plain HTTP.
        options.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = null;
        throw error;
      });
    return discovered;
  };
  return {
    async begin(next) {
      const config = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: 'openid profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      return { url: url.href, pending: { state, verifier, next } };
    },
    async finish(callbackUrl, pending) {
      const config = await configuration();
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('ARCAD360 returned no ID token');
      return {
        sub: claims.sub,
        name: typeof claims.name === 'string' ? claims.name : claims.sub,
        roles: Array.isArray(claims.roles) ? claims.roles.map(String) : [],
        arcadTenant: typeof claims.arcad_tenant === 'string' ? claims.arcad_tenant : '',
      };
    },
  };
}
