/**
 * Signing in: at the configured OpenID provider (openid.ts), or, where none is configured (and for
 * tokens made by hand), by pasting a bearer token. This tab keeps the token (sessionStorage) and sends
 * it with every request. The gateway verifies it; the dashboard reads its claims only to say who is signed in.
 */
import { byId } from "./dom.js";
import { completeSignIn, jwtClaims, signInSettings, SignInError, startSignIn } from "./openid.js";

const storageKey = "service-graph-token";
const nameKey = "service-graph-name";
/** Why the last sign-in ended (expired, refused), to say on the Sign in view after the reload. */
const endedKey = "service-graph-sign-in-ended";

export function currentToken(): string | null {
  return sessionStorage.getItem(storageKey);
}

interface TokenSummary {
  sub: string | null;
  name: string | null;
  roles: string[];
  expiresAt: Date | null;
}

/** The token's claims, unverified (the gateway verifies them), or null when it is not a JWT. */
export function readToken(token: string): TokenSummary | null {
  const claims = jwtClaims(token);
  if (!claims) return null;
  return {
    sub: typeof claims["sub"] === "string" ? claims["sub"] : null,
    name: typeof claims["name"] === "string" ? claims["name"] : sessionStorage.getItem(nameKey),
    roles: Array.isArray(claims["roles"]) ? claims["roles"].map(String) : [],
    expiresAt: typeof claims["exp"] === "number" ? new Date(claims["exp"] * 1000) : null,
  };
}

function describe(summary: TokenSummary): string {
  const who = summary.name && summary.sub ? `as ${summary.name} (${summary.sub})` : summary.sub ? `as ${summary.sub}` : "";
  const roles = summary.roles.length ? `with the ${summary.roles.join(", ")} role${summary.roles.length > 1 ? "s" : ""}` : "with no role";
  const until = summary.expiresAt ? `, until ${summary.expiresAt.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}` : "";
  return `You are signed in ${[who, roles].filter(Boolean).join(" ")}${until}.`;
}

/** Ends the sign-in and says why on the Sign in view (the API refused the token, or it expired). */
export function endSignIn(reason: string): void {
  sessionStorage.removeItem(storageKey);
  sessionStorage.removeItem(nameKey);
  sessionStorage.setItem(endedKey, reason);
  location.hash = "#signin";
  location.reload();
}

/**
 * The sign-in view; a change of token reloads the dashboard, so every view asks again as the new caller.
 * Resolves to true when the page is reloading (a sign-in just finished): nothing else need load then.
 */
export async function createSignInView(): Promise<boolean> {
  const form = byId<HTMLFormElement>("signin-form");
  const input = byId<HTMLTextAreaElement>("signin-token");
  const status = byId("signin-status");
  const signOut = byId<HTMLButtonElement>("signout-button");
  const summary = byId("signin-error-summary");
  const summaryLink = byId<HTMLAnchorElement>("signin-error-summary-message");
  const formGroup = byId("signin-form-group");
  const errorMessage = byId("signin-token-error");
  const navLink = byId("nav-signin");
  const notice = byId("signin-notice");
  const providerPanel = byId("signin-provider");
  const startButton = byId<HTMLButtonElement>("signin-start");
  const tokenDetails = byId<HTMLDetailsElement>("signin-token-details");

  const showError = (message: string | null, field: "token" | "provider" = "token") => {
    summary.hidden = message === null;
    const onToken = message !== null && field === "token";
    formGroup.classList.toggle("govuk-form-group--error", onToken);
    input.classList.toggle("govuk-textarea--error", onToken);
    errorMessage.hidden = !onToken;
    if (message === null) return input.removeAttribute("aria-invalid");
    summaryLink.textContent = message;
    summaryLink.href = field === "token" ? "#signin-token" : "#signin-start";
    if (onToken) {
      input.setAttribute("aria-invalid", "true");
      errorMessage.replaceChildren(Object.assign(document.createElement("span"), { className: "govuk-visually-hidden", textContent: "Error: " }), message);
    }
    summary.focus();
  };

  const reloadAs = (next: string | null, returnTo = "#journey", name: string | null = null) => {
    if (next) sessionStorage.setItem(storageKey, next);
    else sessionStorage.removeItem(storageKey);
    if (name) sessionStorage.setItem(nameKey, name);
    else sessionStorage.removeItem(nameKey);
    location.hash = returnTo;
    location.reload();
    return true;
  };

  const settings = await signInSettings();
  providerPanel.hidden = !settings;
  // Without a provider the token form is the way in; with one, it stays for tokens made by hand.
  tokenDetails.open = !settings;
  if (settings) {
    try {
      const signedIn = await completeSignIn(settings);
      if (signedIn) return reloadAs(signedIn.token, signedIn.returnTo && signedIn.returnTo !== "#signin" ? signedIn.returnTo : "#journey", signedIn.name);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      location.hash = "#signin";
      showError(error.message, "provider");
    }
    startButton.addEventListener("click", () => {
      startButton.disabled = true;
      startSignIn(settings, sessionStorage.getItem(endedKey) ? "#journey" : location.hash === "#signin" ? "#journey" : location.hash).catch(
        (error: unknown) => {
          startButton.disabled = false;
          showError(error instanceof Error ? error.message : String(error), "provider");
        },
      );
    });
  }

  const token = currentToken();
  let claims = token ? readToken(token) : null;
  if (claims?.expiresAt && claims.expiresAt.getTime() < Date.now()) {
    sessionStorage.removeItem(storageKey);
    sessionStorage.setItem(endedKey, "Your sign-in has expired. Sign in again to see people's names.");
    claims = null;
  }
  const ended = sessionStorage.getItem(endedKey);
  sessionStorage.removeItem(endedKey);
  notice.hidden = !ended;
  byId("signin-notice-text").textContent = ended ?? "";
  if (ended && location.hash !== "#signin") location.hash = "#signin";

  status.textContent = claims ? describe(claims) : "You are not signed in: people's names are hidden.";
  signOut.hidden = !claims;
  if (claims) providerPanel.hidden = true;
  navLink.textContent = claims ? "Signed in" : "Sign in";

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const pasted = input.value.trim().replace(/^Bearer\s+/i, "");
    if (!pasted) return showError("Enter your token");
    const read = readToken(pasted);
    if (!read) return showError("The token must be a JWT: three parts separated by dots");
    if (read.expiresAt && read.expiresAt.getTime() < Date.now()) return showError("The token has expired: ask for a new one");
    reloadAs(pasted);
  });
  signOut.addEventListener("click", () => reloadAs(null));
  return false;
}
