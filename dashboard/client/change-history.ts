/**
 * An entity's history of changes, from the audit trail (auditTrail, admins only; subgraph-kit/mutations/audit.ts
 * records every change made through the API in the transaction that makes it): who changed what and when,
 * newest first, each property's value before and after and each relationship added, removed or changed.
 */
import { request } from "./api.js";
import { h, plural, showStatus } from "./dom.js";
import { operations, type Types } from "./operations.js";

type AuditEvent = NonNullable<Types.ChangeHistoryQuery["auditTrail"]>["edges"][number]["node"];
type AuditChange = AuditEvent["changes"][number];

/** A value the trail stores as JSON, in words: text quoted, a relationship's properties as `lane FRONTSTAGE, since 2023-04-01`. */
function valueText(json: string | null): string {
  if (json === null) return "nothing";
  const value = JSON.parse(json) as unknown;
  if (value === null) return "nothing";
  if (typeof value === "string") return `“${value}”`;
  if (typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null);
    return entries.length ? entries.map(([k, v]) => `${k} ${String(v)}`).join(", ") : "no properties";
  }
  return JSON.stringify(value);
}

export function describeChange(change: AuditChange): string {
  const other = `${change.relatedType ?? ""} ${change.relatedId ?? ""}`.trim();
  switch (change.kind) {
    case "PROPERTY":
      if (change.before === null || JSON.parse(change.before) === null) return `${change.field} set to ${valueText(change.after)}`;
      if (change.after === null || JSON.parse(change.after) === null) return `${change.field} removed (it was ${valueText(change.before)})`;
      return `${change.field} changed from ${valueText(change.before)} to ${valueText(change.after)}`;
    case "RELATIONSHIP_ADDED":
      return `${change.field}: ${other} added (${valueText(change.after)})`;
    case "RELATIONSHIP_REMOVED":
      return `${change.field}: ${other} removed (it had ${valueText(change.before)})`;
    case "RELATIONSHIP_CHANGED":
      return `${change.field}: ${other} changed from ${valueText(change.before)} to ${valueText(change.after)}`;
  }
}

const actions = { CREATE: "Created", UPDATE: "Changed", DELETE: "Deleted" } as const;

/** Fills `region` with the entity's history, a page of 50 at a time. */
export async function showChangeHistory(region: HTMLElement, entityId: string): Promise<void> {
  showStatus(region, "Loading the history of changes…", "loading");
  const rows: HTMLElement[] = [];
  const body = h("tbody", { class: "govuk-table__body" });
  const status = h("p", { class: "govuk-body", id: "edit-history-status", role: "status" });
  const more = h("button", { type: "button", class: "govuk-button govuk-button--secondary", hidden: true }, "Show older changes");
  let after: string | null = null;

  async function page(): Promise<void> {
    const { auditTrail } = await request(operations.changeHistory, { entityId, after });
    if (!auditTrail) throw new Error("The API gave no history of changes.");
    for (const { node } of auditTrail.edges) {
      const row = h(
        "tr",
        { class: "govuk-table__row" },
        h("td", { class: "govuk-table__cell" }, new Date(node.at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })),
        h("td", { class: "govuk-table__cell" }, node.actor),
        h("td", { class: "govuk-table__cell" }, `${actions[node.action]} (${node.operation})`),
        h(
          "td",
          { class: "govuk-table__cell" },
          h(
            "ul",
            { class: "govuk-list" },
            node.changes.map((c) => h("li", {}, describeChange(c))),
          ),
        ),
      );
      rows.push(row);
      body.append(row);
    }
    after = auditTrail.pageInfo.endCursor;
    more.hidden = !auditTrail.pageInfo.hasNextPage;
    status.textContent = auditTrail.totalCount
      ? `${plural(auditTrail.totalCount, "change")} made through the API, newest first; ${rows.length.toLocaleString("en-GB")} shown.`
      : "No change has been made to it through the API. Changes made by imports are not in the audit trail.";
  }

  try {
    await page();
  } catch (error) {
    return showStatus(region, (error as Error).message, "error");
  }
  more.addEventListener("click", () => {
    more.disabled = true;
    page()
      .catch((error: unknown) => showStatus(region, (error as Error).message, "error"))
      .finally(() => (more.disabled = false));
  });
  region.replaceChildren(
    status,
    h(
      "table",
      { class: "govuk-table", id: "edit-history-table", "aria-describedby": "edit-history-status" },
      h(
        "thead",
        { class: "govuk-table__head" },
        h(
          "tr",
          { class: "govuk-table__row" },
          ["When", "Who", "What", "Changes"].map((t) => h("th", { scope: "col", class: "govuk-table__header" }, t)),
        ),
      ),
      body,
    ),
    more,
  );
}
