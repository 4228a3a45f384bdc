// A real OpenID Connect provider for the single sign-on tests: panva's certified `oidc-provider`
// (npm), on a loopback port, with
//   - one confidential client (client_secret_post, authorization code flow, PKCE required, so a
//     tool that forgot PKCE would be refused as a strict identity provider refuses it);
//   - people read from a JSON file at every sign-in and token, so a test can change someone's
//     groups between two sign-ins as IT would in the directory;
//   - a one-field sign-in form (a scripted login: a test posts it, a browser test fills it in),
//     and consent granted for the tool, as a company identity provider does for its own apps.
//
// Usage: node oidc_provider.mjs CONFIG.json, where CONFIG is
//   {"issuer": "http://127.0.0.1:PORT", "port": PORT, "usersFile": "...",
//    "client": {"client_id": "...", "client_secret": "...", "redirect_uris": ["..."]}}
// and usersFile maps a username to that person's claims, e.g.
//   {"alice": {"sub": "u-1", "preferred_username": "alice", "email": "...", "groups": ["..."]}}
// Prints "ready" on stdout once it listens.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function people() {
  return JSON.parse(readFileSync(config.usersFile, 'utf8'));
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function formBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function signInPage(uid, error = '') {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body>
  <h1>Test identity provider</h1>
  ${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
  <form method="post" action="/interaction/${escapeHtml(uid)}/login">
    <label for="idp-login">Directory login</label>
    <input id="idp-login" name="login" autocomplete="off" autofocus>
    <button type="submit">Continue</button>
  </form>
  <form method="post" action="/interaction/${escapeHtml(uid)}/abort">
    <button type="submit">Cancel</button>
  </form>
</body></html>`;
}

const provider = new Provider(config.issuer, {
  clients: [{
    ...config.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey()] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  ttl: {
    AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600,
    Session: 3600,
  },
  features: { devInteractions: { enabled: false } },
  // Claims in the ID token as well as from the userinfo endpoint (like Azure AD, which puts
  // groups only in the ID token), so both ways the tool reads claims can be tested.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'upn', 'locale'],
    groups: ['groups', 'roles'],
  },
  async findAccount(ctx, id) {
    const person = people()[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        // Read again: the test may have changed this person since they signed in.
        return { sub: id, ...(people()[id] || person) };
      },
    };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The tool is the company's own application: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
  if (!match) return next();
  const [, uid, step] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'interaction mismatch');

  if (!step && ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = signInPage(uid);
    return undefined;
  }
  if (step === 'abort' && ctx.method === 'POST') {
    ctx.respond = false;
    return provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: 'The person cancelled the sign-in.',
    }, { mergeWithLastSubmission: false });
  }
  if (step === 'login' && ctx.method === 'POST') {
    const login = (await formBody(ctx.req)).get('login') || '';
    if (!people()[login]) {
      ctx.status = 200;
      ctx.type = 'html';
      ctx.body = signInPage(uid, `No such person in the directory: ${login}`);
      return undefined;
    }
    ctx.respond = false;
    return provider.interactionFinished(ctx.req, ctx.res, {
      login: { accountId: login },
    }, { mergeWithLastSubmission: false });
  }
  return ctx.throw(405);
});

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write('ready\n');
});
