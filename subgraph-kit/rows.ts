/**
 * What a hand-written resolver may return for a GraphQL type: any of its fields, nested ones too, each
 * possibly left out. Resolvers here return rows of Cypher; @neo4j/graphql's field resolvers and
 * partial-entities.ts complete what a row leaves out. The generated resolver types map every type to it.
 */
export type RowOf<T> = T extends readonly (infer Item)[]
  ? RowOf<Item>[]
  : T extends { toString(): string; year: unknown }
    ? T
    : T extends object
      ? { [K in keyof T]?: RowOf<T[K]> | null }
      : T;
