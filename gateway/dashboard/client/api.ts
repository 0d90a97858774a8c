/** The gateway's public GraphQL API, with each operation's data and variables typed from the supergraph. */

/** An operation's text, carrying the types generated for it (generated/graphql.ts). */
export interface Operation<TData, TVariables> {
  readonly query: string;
  readonly types?: [TData, TVariables];
}

export function operation<TData, TVariables>(query: string): Operation<TData, TVariables> {
  return { query };
}

export class ApiError extends Error {}

export async function request<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables): Promise<TData> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query: op.query, variables }),
    });
  } catch {
    throw new ApiError("The dashboard could not reach the Service Graph API. Check that it is running and try again.");
  }
  const body = (await response.json().catch(() => ({}))) as { data?: TData | null; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) {
    throw new ApiError(body.errors?.map((e) => e.message).join(" ") || `The API answered with HTTP ${response.status}.`);
  }
  return body.data;
}
