// A real OpenID Connect provider for POP Platform's single sign-on tests: panva's
// certified oidc-provider with its development login form (any login, any password).
// The login is the person's e-mail address; every login is a verified address unless
// listed in "unverified". Started by tests/sso/provider.py with its configuration as JSON
// in POP_OIDC_CONFIG: {"port": 8113, "clients": [...], "names": {...}, "unverified": [...]}.
// Prints "ready <issuer>" once it listens.
import Provider from "oidc-provider";

const config = JSON.parse(process.env.POP_OIDC_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;
const names = config.names || {};
const unverified = new Set(config.unverified || []);

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
    ...client,
  })),
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "preferred_username"],
  },
  cookies: { keys: ["pop-platform-test-cookie-key"] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    // The address as typed (its case kept: POP Platform matches it case-insensitively).
    const email = String(id).trim();
    const key = email.toLowerCase();
    return {
      accountId: id,
      async claims() {
        return {
          sub: `sub-${key}`,
          email,
          email_verified: !unverified.has(key),
          name: names[key] || key.split("@")[0],
          preferred_username: email,
        };
      },
    };
  },
});
provider.proxy = false;
provider.listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
