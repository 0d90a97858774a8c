/** The gateway's public GraphQL API, with each operation's data and variables typed from the supergraph. */
import trustedDocuments from "./generated/persisted-documents.json";
import { currentToken, endSignIn } from "./session.js";

/**
 * An operation as the dashboard sends it: the id of its trusted document (the gateway knows the
 * text, and in production may run nothing else) and its name, carrying the types generated for it
 * (generated/graphql.ts).
 */
export interface Operation<TData, TVariables> {
  readonly documentId: string;
  readonly operationName: string;
  readonly types?: [TData, TVariables];
}

const idByText = new Map(Object.entries(trustedDocuments as Record<string, string>).map(([id, text]) => [text, id]));

export function operation<TData, TVariables>(query: string): Operation<TData, TVariables> {
  const documentId = idByText.get(query);
  const operationName = /^\s*(?:query|mutation)\s+(\w+)/m.exec(query)?.[1];
  // Both are fixed when the bundle is built: a miss means the manifest is stale, which a test reports too.
  if (!documentId || !operationName) throw new Error("An operation is not in generated/persisted-documents.json: run npm run generate:dashboard-types.");
  return { documentId, operationName };
}

/** An error of a GraphQL answer as the gateway gives it: its message and, for refusals and bad input, its code and problems. */
export interface ApiProblem {
  message: string;
  extensions?: { code?: string; field?: string; problems?: { field: string; message: string }[] };
}

export class ApiError extends Error {
  /** The answer's errors, when it had any (a form maps them to its fields). */
  readonly problems: readonly ApiProblem[];
  constructor(message: string, problems: readonly ApiProblem[] = []) {
    super(message);
    this.problems = problems;
  }
}

/** The signed-in caller's token, when there is one (session.ts). */
function signedIn(): Record<string, string> {
  const token = currentToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** How often, and how long at most each time, a request refused as one too many (429) waits and is sent again. */
const rateLimitRetries = 3;
const longestWaitSeconds = 30;

export interface RequestOptions {
  /** Told before each wait for the rate limit, to say why the view is taking longer. */
  waiting?: (seconds: number) => void;
}

/**
 * A file the gateway writes (GET /csv/…), fetched as the signed-in caller, since a link could not send
 * the token; a refusal is thrown with the gateway's own sentence.
 */
export async function fetchFile(path: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(path, { headers: signedIn() });
  } catch {
    throw new ApiError("The dashboard could not reach the Service Graph API. Check that it is running and try again.");
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { errors?: ApiProblem[] };
    throw new ApiError(body.errors?.[0]?.message ?? `The API answered with HTTP ${response.status}.`, body.errors ?? []);
  }
  // Read to the end: a transfer cut off midway rejects here, so no part passes for the whole file.
  return response.blob();
}

export async function request<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, options: RequestOptions = {}): Promise<TData> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...signedIn() },
        body: JSON.stringify({ documentId: op.documentId, operationName: op.operationName, variables }),
      });
    } catch {
      throw new ApiError("The dashboard could not reach the Service Graph API. Check that it is running and try again.");
    }
    const body = (await response.json().catch(() => ({}))) as { data?: TData | null; errors?: ApiProblem[] };
    // The gateway refused the token (expired, revoked, from another provider): sign out and say why.
    if (response.status === 401 && currentToken()) {
      endSignIn(`You have been signed out: ${body.errors?.[0]?.message ?? "the service refused your sign-in."} Sign in again.`);
    }
    // Callers without a token share their address's allowance (gateway/limits.ts), so a few page loads in a
    // row can use it up: the gateway says when there is room again, and the view waits for it.
    const retryAfter = Number(response.headers.get("retry-after"));
    if (response.status === 429 && attempt < rateLimitRetries && retryAfter > 0 && retryAfter <= longestWaitSeconds) {
      options.waiting?.(retryAfter);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      continue;
    }
    if (body.errors?.length || !body.data) {
      throw new ApiError(body.errors?.map((e) => e.message).join(" ") || `The API answered with HTTP ${response.status}.`, body.errors ?? []);
    }
    return body.data;
  }
}
