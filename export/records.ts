/**
 * What an export holds: nodes and edges with a fixed set of attributes, so that every format can
 * declare them before the first node (GraphML's keys, GEXF's attributes, a CSV's header).
 */

export type AttributeType = "string" | "int";
export type AttributeValue = string | number;

/** The attributes a node may carry, in the order the formats write them. */
export const nodeAttributes = {
  /** What the node is: Organisation, Service, Stage, Profession, Community or Person. */
  kind: "string",
  /** Its name (as on the export's date, for an organisation). */
  label: "string",
  acronym: "string",
  organisationType: "string",
  status: "string",
  phase: "string",
  theme: "string",
  position: "int",
  jobTitle: "string",
  grade: "string",
  /** When it opened and closed (organisations), as YYYY-MM-DD. */
  since: "string",
  until: "string",
  /**
   * When a date is known only between two snapshots: the bounds (it opened after sinceEarliest and by sinceLatest;
   * it closed after untilEarliest and by untilLatest). `since` and `until` are then the later bound.
   */
  sinceEarliest: "string",
  sinceLatest: "string",
  untilEarliest: "string",
  untilLatest: "string",
  /** Where the fact came from, `<import source>:<file>` (the graph's `source`), with the snapshot's date and when it was imported. */
  provenance: "string",
  snapshot: "string",
  importedAt: "string",
} as const satisfies Record<string, AttributeType>;

/** The attributes an edge may carry. */
export const edgeAttributes = {
  /** The relationship as it held on the export's date: PART_OF, SUPERSEDED_BY, OWNS, HAS_STAGE, RESPONSIBLE_FOR, … */
  label: "string",
  lane: "string",
  role: "string",
  since: "string",
  until: "string",
  provenance: "string",
  /** What a derived responsibility was derived from (a step's link, a curated row's source). */
  evidence: "string",
  importedAt: "string",
} as const satisfies Record<string, AttributeType>;

export type NodeAttribute = keyof typeof nodeAttributes;
export type EdgeAttribute = keyof typeof edgeAttributes;

/** A node, its id prefixed with its kind (`Organisation:hm-revenue-customs`) so that ids of two kinds never meet. */
export interface ExportNode {
  id: string;
  attributes: Partial<Record<NodeAttribute, AttributeValue>>;
}

/** A directed edge between two nodes' ids. */
export interface ExportEdge {
  source: string;
  target: string;
  attributes: Partial<Record<EdgeAttribute, AttributeValue>>;
}

/** An export's two parts: every node comes before the first edge (GEXF and the tools that stream it need that). */
export const exportParts = ["nodes", "edges"] as const;
export type ExportPart = (typeof exportParts)[number];

/** What an export is of: the graph as on `asAt` (YYYY-MM-DD), with or without people. */
export interface ExportScope {
  asAt: string;
  withPeople: boolean;
}
