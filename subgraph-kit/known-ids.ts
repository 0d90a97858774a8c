/**
 * Arguments that name organisations a question is about: an id that names none is refused as
 * BAD_USER_INPUT naming the argument and the ids, the same in every subgraph, rather than answered
 * as an empty page (which reads as "nothing links it") or as null.
 */
import type { GraphReader } from "../graph/read.js";
import { badInput } from "./connection.js";

export async function requireOrganisations(graph: Pick<GraphReader, "rows">, ids: readonly string[], argument: string): Promise<void> {
  const [row] = await graph.rows<{ missing: string[] }>("RETURN [id IN $ids WHERE NOT EXISTS { MATCH (:Organisation {id: id}) }] AS missing", { ids });
  if (row && row.missing.length > 0) throw badInput(`"${argument}": no organisation has the id ${row.missing.map((id) => `"${id}"`).join(", ")}.`, argument);
}
