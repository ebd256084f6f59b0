// A real OpenID Connect provider (panva/oidc-provider, OpenID-certified) on loopback, for the
// unified-identity tests: the server's (server/tests/identity.rs), the phone core's
// (tests/tests/phone_identity.rs), the console's e2e and the app's Kotlin suite (both started
// by scripts/start-oidc-provider.sh). The Rust tests start it through tests/oidc/harness.rs.
//
//   node tests/oidc/provider.mjs <redirect-uri>...
//
// Prints `READY <issuer>` once listening on an ephemeral port. Two confidential clients:
// `anjian` (ID tokens signed RS256) and `anjian-es` (ES256), secret `test-secret`, PKCE
// required. Signing keys are made at start (nothing downloaded, nothing kept).
//
// Sign-in: the provider's interaction is finished at once for the account named in the
// authorization request's `login_hint` (there is no person to type a password); without one
// it shows a one-field form (a browser test types the account there). Every
// account exists, with `preferred_username` = its id, a phone number and a provider's own
// claim `id_number` = `id-<its id>` (scope `gov`).
//
// Test controls (loopback only, not OpenID):
//   POST /test/tamper  the next token response's ID token gets its payload rewritten
//                      (`sub` and `preferred_username` set to `admin`), its signature kept.

import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const redirectUris = process.argv.slice(2);
if (redirectUris.length === 0) {
  console.error('usage: node provider.mjs <redirect-uri>...');
  process.exit(2);
}

function jwk(type, options, alg, kid) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid };
}

const keys = [
  jwk('rsa', { modulusLength: 2048 }, 'RS256', 'rsa-1'),
  jwk('ec', { namedCurve: 'P-256' }, 'ES256', 'ec-1'),
];

const client = (id, alg) => ({
  client_id: id,
  client_secret: 'test-secret',
  redirect_uris: redirectUris,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  id_token_signed_response_alg: alg,
});

/** A small form body (the sign-in page's one field). */
async function body(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 4096) break;
  }
  return text;
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [client('anjian', 'RS256'), client('anjian-es', 'ES256')],
    jwks: { keys },
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      phone: ['phone_number'],
      gov: ['id_number'],
    },
    scopes: ['openid', 'profile', 'phone', 'gov'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // Scope claims in the ID token too; a provider's own claim (`id_number`) is then read by
    // the server from userinfo all the same (it looks for its own claims there).
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            preferred_username: id,
            name: `测试用户 ${id}`,
            phone_number: '13800138000',
            id_number: `id-${id}`,
          };
        },
      };
    },
  });

  let tamperNext = false;
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/test/tamper') {
        tamperNext = true;
        res.writeHead(204).end();
        return;
      }
      if (req.url.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        let login = details.params.login_hint;
        if (!login && req.method === 'POST') {
          login = new URLSearchParams(await body(req)).get('login');
        }
        if (!login) {
          // A person in a browser (the console's end-to-end test) types who they are.
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
            '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试身份认证</title></head>' +
              '<body><form method="post"><label>统一身份账号 <input name="login" autocomplete="off"></label>' +
              '<button type="submit">登录</button></form></body></html>',
          );
          return;
        }
        const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: login }, consent: { grantId } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      if (tamperNext && req.method === 'POST' && req.url.startsWith('/token')) {
        tamperNext = false;
        const end = res.end.bind(res);
        res.end = (body, ...rest) => {
          const json = JSON.parse(Buffer.from(body).toString('utf8'));
          const [head, payload, sig] = json.id_token.split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
          claims.sub = 'admin';
          claims.preferred_username = 'admin';
          const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
          json.id_token = [head, forged, sig].join('.');
          const out = Buffer.from(JSON.stringify(json));
          if (!res.headersSent) res.setHeader('content-length', out.length);
          return end(out, ...rest);
        };
      }
      callback(req, res);
    } catch (err) {
      console.error(err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
  console.log(`READY ${issuer}`);
});

process.on('SIGTERM', () => process.exit(0));
// The test reads the first line only; notices after it must not end the provider.
process.stdout.on('error', () => {});
