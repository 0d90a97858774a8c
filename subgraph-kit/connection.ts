/**
 * Cursor connections for the analysis fields: `first` and `after` checked against a field's limits,
 * turned into SKIP and LIMIT, and the page wrapped as edges with cursors and pageInfo. A cursor is
 * the opaque position after an item in the field's fixed order.
 */
import { GraphQLError } from "graphql";
import neo4j, { type Integer } from "neo4j-driver";

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page {
  offset: number;
  size: number;
  /** SKIP and LIMIT as Cypher wants them: integers, not floats. */
  skip: Integer;
  limit: Integer;
}

export function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", argument } });
}

const cursorPrefix = "sg:";
export const encodeCursor = (position: number): string => Buffer.from(`${cursorPrefix}${position}`).toString("base64url");

function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, "base64url").toString();
  const position = Number(text.slice(cursorPrefix.length));
  return text.startsWith(cursorPrefix) && Number.isSafeInteger(position) && position >= 0 ? position : undefined;
}

/** The page asked for, or a BAD_USER_INPUT error naming the argument that is out of range. */
export function pageOf(args: PageArgs, max: number, firstArgument = "first"): Page {
  const size = args.first ?? max;
  if (!Number.isInteger(size) || size < 1 || size > max)
    throw badInput(`"${firstArgument}" must be from 0 to ${max} (0 gives the default); it was ${size}.`, firstArgument);
  let offset = 0;
  if (args.after != null) {
    const position = decodeCursor(args.after);
    if (position === undefined) throw badInput(`"after" is not a cursor this API gave: use an edge's cursor or pageInfo.endCursor.`, "after");
    offset = position;
  }
  return { offset, size, skip: neo4j.int(offset), limit: neo4j.int(size) };
}

export interface Connection<E> {
  totalCount: number;
  edges: (E & { cursor: string })[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Wraps one page of edges (at most `page.size`, in the field's order) as a connection. */
export function connectionOf<E extends object>(edges: readonly E[], page: Page, totalCount: number): Connection<E> {
  const withCursors = edges.map((edge, i) => ({ ...edge, cursor: encodeCursor(page.offset + i + 1) }));
  return {
    totalCount,
    edges: withCursors,
    pageInfo: {
      hasNextPage: page.offset + edges.length < totalCount,
      hasPreviousPage: page.offset > 0,
      startCursor: withCursors[0]?.cursor ?? null,
      endCursor: withCursors.at(-1)?.cursor ?? null,
    },
  };
}

/** A page cut from a list already in memory. */
export function sliceConnection<E extends object>(all: readonly E[], page: Page): Connection<E> {
  return connectionOf(all.slice(page.offset, page.offset + page.size), page, all.length);
}
