/**
 * Signing in: the caller pastes a bearer token, which this tab keeps (sessionStorage) and sends with
 * every request. The gateway verifies it; the dashboard reads its claims only to say who is signed in.
 */
import { byId } from "./dom.js";

const storageKey = "service-graph-token";

export function currentToken(): string | null {
  return sessionStorage.getItem(storageKey);
}

interface TokenSummary {
  sub: string | null;
  roles: string[];
  expiresAt: Date | null;
}

/** The token's claims, unverified (the gateway verifies them), or null when it is not a JWT. */
export function readToken(token: string): TokenSummary | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    return {
      sub: typeof claims["sub"] === "string" ? claims["sub"] : null,
      roles: Array.isArray(claims["roles"]) ? claims["roles"].map(String) : [],
      expiresAt: typeof claims["exp"] === "number" ? new Date(claims["exp"] * 1000) : null,
    };
  } catch {
    return null;
  }
}

function describe(summary: TokenSummary): string {
  const who = summary.sub ? `as ${summary.sub}` : "";
  const roles = summary.roles.length ? `with the ${summary.roles.join(", ")} role${summary.roles.length > 1 ? "s" : ""}` : "with no role";
  const until = summary.expiresAt ? `, until ${summary.expiresAt.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}` : "";
  return `You are signed in ${[who, roles].filter(Boolean).join(" ")}${until}.`;
}

/** The sign-in view; a change of token reloads the dashboard, so every view asks again as the new caller. */
export function createSignInView(): void {
  const form = byId<HTMLFormElement>("signin-form");
  const input = byId<HTMLTextAreaElement>("signin-token");
  const status = byId("signin-status");
  const signOut = byId<HTMLButtonElement>("signout-button");
  const summary = byId("signin-error-summary");
  const formGroup = byId("signin-form-group");
  const errorMessage = byId("signin-token-error");
  const navLink = byId("nav-signin");

  const token = currentToken();
  const claims = token ? readToken(token) : null;
  status.textContent = claims ? describe(claims) : "You are not signed in: people's names are hidden.";
  signOut.hidden = !claims;
  navLink.textContent = claims ? "Signed in" : "Sign in";

  const showError = (message: string | null) => {
    summary.hidden = message === null;
    formGroup.classList.toggle("govuk-form-group--error", message !== null);
    input.classList.toggle("govuk-textarea--error", message !== null);
    errorMessage.hidden = message === null;
    if (message === null) return input.removeAttribute("aria-invalid");
    input.setAttribute("aria-invalid", "true");
    errorMessage.replaceChildren(Object.assign(document.createElement("span"), { className: "govuk-visually-hidden", textContent: "Error: " }), message);
    byId("signin-error-summary-message").textContent = message;
    summary.focus();
  };

  const reloadAs = (next: string | null) => {
    if (next) sessionStorage.setItem(storageKey, next);
    else sessionStorage.removeItem(storageKey);
    location.hash = "#journey";
    location.reload();
  };

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
}
