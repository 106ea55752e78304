// A real OpenID provider for the single sign-on tests (oidc-provider, authorization code flow with
// PKCE, RP-initiated logout). Started once per test session by tests/support/oidc_provider.py.
//
// What is ours here and not the library's:
// - the sign-in page (/interaction/:uid): instead of a password it asks for the subject and the
//   acr/amr the "sign-in" is to report, so a test decides what the provider asserts;
// - consent is granted at once (a first-party client, as an administration's Keycloak would be set up);
// - the subject FOREIGN_AUDIENCE_SUBJECT gets an ID token for another client (aud), still signed with
//   the provider's key: what a mix-up or a token meant for another application looks like.
//
// Configuration (environment): OIDC_CLIENTS, a JSON list of client metadata. Prints one line
// `listening <issuer>` when ready; stops on SIGTERM or when its stdin closes.
import http from 'node:http';
import process from 'node:process';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const FOREIGN_AUDIENCE_SUBJECT = 'fremdes-publikum';
const FOREIGN_AUDIENCE = 'eine-andere-anwendung';

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-signing', alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.OIDC_CLIENTS || '[]'),
  jwks: { keys: [signingKey] },
  cookies: { keys: ['schutzpfad-test-provider-cookie-key'] },
  pkce: { required: () => true },
  acrValues: ['urn:schutzpfad:test:mfa', 'urn:schutzpfad:test:passwort'],
  claims: { openid: ['sub', 'amr'], profile: ['name'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!doctype html><title>Abmelden</title>${form}<button form="op.logoutForm" name="logout" value="yes">Abmelden</button>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, name: `Person ${sub}` }; } };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile');
    await grant.save();
    return grant;
  },
});

// The foreign audience: re-sign the ID token of one subject with `aud` set to another client.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body?.id_token) return;
  const claims = jose.decodeJwt(ctx.body.id_token);
  if (claims.sub !== FOREIGN_AUDIENCE_SUBJECT) return;
  ctx.body.id_token = await new jose.SignJWT({ ...claims, aud: FOREIGN_AUDIENCE, azp: FOREIGN_AUDIENCE })
    .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' })
    .sign(privateKey);
});

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Test-Anmeldung</title>
<form method="post" action="/interaction/${escape(details.uid)}">
<label>Subjekt <input name="sub"></label> <label>acr <input name="acr"></label> <label>amr <input name="amr"></label>
<button>Anmelden</button></form>`);
    return;
  }
  const form = await readForm(req);
  const login = { accountId: form.get('sub') };
  if (form.get('acr')) login.acr = form.get('acr');
  if (form.get('amr')) login.amr = form.get('amr').split(' ');
  await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (!req.url.startsWith('/interaction/')) {
    callback(req, res);
    return;
  }
  interaction(req, res).catch((err) => {
    res.statusCode = 400;
    res.end(String(err));
  });
});

process.on('SIGTERM', () => { server.close(); process.exit(0); });
process.stdin.on('end', () => { server.close(); process.exit(0); });
process.stdin.resume();
process.stdout.write(`listening ${issuer}\n`);
