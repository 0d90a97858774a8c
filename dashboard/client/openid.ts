/**
 * Signing in at an OpenID provider (the authorization code flow with PKCE, as a public browser client):
 * the dashboard sends the person to the provider with a code challenge, a state and a nonce kept in this
 * tab, and on their way back exchanges the code for tokens at the provider's token endpoint. The gateway
 * verifies the token it is sent; the dashboard reads claims only to say who is signed in.
 */

/** What the gateway says about the provider (/dashboard/sign-in.json, from the DASHBOARD_OIDC_* variables). */
export interface SignInSettings {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
  send: "access_token" | "id_token";
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

/** The flow under way in this tab, between leaving for the provider and coming back. */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** The view to go back to. */
  returnTo: string;
}

const pendingKey = "service-graph-sign-in";

export class SignInError extends Error {}

export async function signInSettings(): Promise<SignInSettings | null> {
  try {
    const response = await fetch("/dashboard/sign-in.json");
    return response.ok ? ((await response.json()) as SignInSettings | null) : null;
  } catch {
    return null;
  }
}

async function discover(issuer: string): Promise<Discovery> {
  let response: Response;
  try {
    response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  } catch {
    throw new SignInError("The dashboard could not reach the sign-in service. Try again later.");
  }
  if (!response.ok) throw new SignInError(`The sign-in service answered with HTTP ${response.status}. Try again later.`);
  return (await response.json()) as Discovery;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** Where the provider sends people back: the dashboard itself, which finishes the flow when it loads. */
const redirectUri = () => `${location.origin}/dashboard`;

/** Leaves for the provider's sign-in page. */
export async function startSignIn(settings: SignInSettings, returnTo: string): Promise<void> {
  const { authorization_endpoint } = await discover(settings.issuer);
  const pending: PendingSignIn = { state: randomString(), nonce: randomString(), verifier: randomString(), returnTo };
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(pending.verifier))));
  sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  const url = new URL(authorization_endpoint);
  const parameters: Record<string, string> = {
    response_type: "code",
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
    // A shared computer must not sign the next person in as the last: the provider asks again.
    prompt: "login",
    ...(settings.resource ? { resource: settings.resource } : {}),
  };
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  location.assign(url.href);
}

/** A JWT's claims, unverified. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export interface SignedIn {
  /** The token sent to the gateway. */
  token: string;
  /** The person's name, from the ID token. */
  name: string | null;
  returnTo: string;
}

/** Why the provider sent the person back without signing them in, in words they can act on. */
function refusal(error: string, description: string | null): string {
  if (error === "access_denied") return "You did not sign in: you cancelled, or the sign-in service refused. Sign in again to see people's names.";
  if (error === "login_required" || error === "interaction_required") return "The sign-in service needs you to sign in again.";
  return `The sign-in service could not sign you in${description ? `: ${description}` : ""}. Try again.`;
}

/**
 * Finishes a sign-in when the address is the provider's answer (?code=…&state=… or ?error=…): null when it
 * is not, the tokens when it succeeded; throws SignInError with what to tell the person otherwise.
 */
export async function completeSignIn(settings: SignInSettings): Promise<SignedIn | null> {
  const answer = new URLSearchParams(location.search);
  const code = answer.get("code");
  const error = answer.get("error");
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(pendingKey) ?? "null") as PendingSignIn | null;
  sessionStorage.removeItem(pendingKey);
  // The answer leaves the address whatever happens: reloading must not replay it.
  history.replaceState(null, "", `${location.pathname}${pending?.returnTo ?? ""}`);
  if (!pending || answer.get("state") !== pending.state)
    throw new SignInError("The sign-in could not be completed: it was not started from this tab, or took too long. Sign in again.");
  if (error) throw new SignInError(refusal(error, answer.get("error_description")));
  const { token_endpoint } = await discover(settings.issuer);
  let response: Response;
  try {
    response = await fetch(token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: code!,
        redirect_uri: redirectUri(),
        client_id: settings.clientId,
        code_verifier: pending.verifier,
        ...(settings.resource ? { resource: settings.resource } : {}),
      }),
    });
  } catch {
    throw new SignInError("The dashboard could not reach the sign-in service. Try again later.");
  }
  const tokens = (await response.json().catch(() => ({}))) as { access_token?: string; id_token?: string; error?: string; error_description?: string };
  if (!response.ok || !tokens.id_token) throw new SignInError(refusal(tokens.error ?? "server_error", tokens.error_description ?? null));
  // The ID token came straight from the provider's token endpoint; its nonce ties it to this tab's request.
  const claims = jwtClaims(tokens.id_token);
  if (!claims || claims["nonce"] !== pending.nonce)
    throw new SignInError("The sign-in could not be completed: the answer was not for this request. Sign in again.");
  const token = settings.send === "id_token" ? tokens.id_token : tokens.access_token;
  if (!token) throw new SignInError("The sign-in service gave no access token. Ask your administrator to check the dashboard's sign-in settings.");
  return { token, name: typeof claims["name"] === "string" ? claims["name"] : null, returnTo: pending.returnTo };
}
