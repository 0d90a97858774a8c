/**
 * What a subgraph decides for its own domain and hands the kit: the rules of the fields its mutations
 * write, which of its input types reach personal data, and what a refused caller is told. Each subgraph's
 * is in subgraphs/<name>/policy.ts, beside the @authentication and @authorization rules of its schema file.
 */
import type { EditorHolds } from "./mutations/editor-holds.js";
import type { Transaction } from "neo4j-driver";
import type { AuditedChange } from "./mutations/audit.js";
import type { FieldRules } from "./mutations/validation.js";

export interface SubgraphPolicy {
  /** Rules of the text and numbers its mutations write, over those every subgraph shares (mutations/validation.ts). */
  fields?: Partial<FieldRules>;
  /**
   * Input types that filter or sort by personal data: a caller who may not read people's names may not use
   * them either, since a filter answers, letter by letter, what a read would refuse (personal-filters.ts).
   */
  personalInputTypes?: RegExp;
  /** Per node type, what an editor may update when the update connects anything: a Cypher predicate on `n` over `$organisations` (mutations/editor-holds.ts). */
  editorHolds?: EditorHolds;
  /**
   * What follows in the subgraph's domain from a mutation's changes, done in their transaction: given each
   * entity a mutation field changed (its audit events), it makes the changes that follow and returns them,
   * and the audit records them too (services: stage owners derived from a service's owners).
   */
  followChanges?: (tx: Transaction, changed: readonly AuditedChange[]) => Promise<AuditedChange[]>;
  /** What a caller refused by the schema file's @authorization rules is told: which role or organisation it needs. */
  forbiddenMessage: string;
}
