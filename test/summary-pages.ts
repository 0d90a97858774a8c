/** What the summaries' tests (subgraphs/<name>/summaries.int.test.ts) share: every page of a paged answer, and the count of recounts a state node keeps. */
import type { Driver } from "neo4j-driver";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields its own answers hold, as the tests do
export type Connection = { totalCount: number; edges: { cursor: string; node: any }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
export type Ask = (args: Record<string, unknown>) => Promise<Connection>;

/** Every page of a field, `first` at a time, each asked after the cursor the one before ended with. */
export async function pages(ask: Ask, first: number, args: Record<string, unknown> = {}): Promise<Connection[]> {
  const all: Connection[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Connection = await ask({ ...args, first, after });
    all.push(page);
    if (!page.pageInfo.hasNextPage || all.length > 500) return all;
    after = page.pageInfo.endCursor;
  }
}

/** How many times the summaries of the state node `id` have been counted again (graph/service-summaries.ts, summaryState). */
export async function recountsOf(driver: Driver, database: string | undefined, id: string): Promise<number> {
  const { records } = await driver.executeQuery(`MATCH (s:SummaryState {id: $id}) RETURN s.recounts AS n`, { id }, { database });
  return Number(records[0]?.get("n") ?? 0);
}
