/**
 * A GOV.UK table of rows fetched a page at a time, sortable by any column (headers are buttons and
 * carry aria-sort), with the rows loaded so far downloadable as CSV, or every matching row.
 */
import { fetchFile } from "./api.js";
import { downloadCsv, toCsv } from "./csv.js";
import { h, stackOnPhones } from "./dom.js";

export interface Column<Row> {
  heading: string;
  /** The value sorted on and exported. */
  value(row: Row): string | number;
  /** What the cell shows, when not just the value. */
  render?(row: Row): Node | string;
  numeric?: boolean;
  /** In the CSV download only, not on the page. */
  csvOnly?: boolean;
}

export interface Page<Row> {
  rows: Row[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface DataTableOptions<Row> {
  id: string;
  caption: string;
  /** Named for the thing a row is: "hand-off", "gap". */
  rowName: string;
  columns: Column<Row>[];
  csvFilename: string;
  /** A page of rows after the cursor; `size` when the download asks for larger pages than the table's. */
  fetchPage(after: string | null, size?: number): Promise<Page<Row>>;
  /**
   * The download holds every matching row, not only those loaded: it fetches the rest first, in pages
   * of this size (the API's maximum, so the fewest requests).
   */
  downloadEveryRow?: { pageSize: number };
  /** The gateway's file of every matching row (`/csv/…?filters`), downloaded instead of the rows loaded. */
  downloadFrom?(): string;
}

export interface DataTable {
  /** Loads the first page again (after a filter changed). */
  reload(): Promise<void>;
}

type Direction = "ascending" | "descending";

export function createDataTable<Row>(container: HTMLElement, options: DataTableOptions<Row>): DataTable {
  let rows: Row[] = [];
  let page: Page<Row> | undefined;
  let sort: { column: number; direction: Direction } | undefined;
  /** Counts the reloads, so a page asked for before the latest one is not added to its rows. */
  let generation = 0;

  const status = h("p", { class: "govuk-body", role: "status", id: `${options.id}-status` });
  const table = h("table", { class: "govuk-table dashboard-data-table", id: options.id, "aria-describedby": `${options.id}-status` });
  const more = h("button", { type: "button", class: "govuk-button govuk-button--secondary", "data-module": "govuk-button", onclick: () => void loadMore() });
  const download = h(
    "button",
    { type: "button", class: "govuk-button govuk-button--secondary", "data-module": "govuk-button", onclick: () => void downloadRows() },
    "Download as CSV",
  );
  const scroller = h("div", { class: "dashboard-table-scroller", role: "region", "aria-label": options.caption, tabindex: "0" }, table);
  container.replaceChildren(status, scroller, h("div", { class: "govuk-button-group" }, more, download));

  function sortedRows(): Row[] {
    if (!sort) return rows;
    const { value } = options.columns[sort.column]!;
    const sign = sort.direction === "ascending" ? 1 : -1;
    return [...rows].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      return sign * (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "en-GB", { numeric: true }));
    });
  }

  function csv(): string {
    return toCsv(
      options.columns.map((c) => c.heading),
      sortedRows().map((row) => options.columns.map((c) => c.value(row))),
    );
  }

  const shown = options.columns.map((column, index) => ({ column, index })).filter(({ column }) => !column.csvOnly);

  function toggleSort(column: number): void {
    sort = { column, direction: sort?.column === column && sort.direction === "ascending" ? "descending" : "ascending" };
    render();
    table.querySelector<HTMLButtonElement>(`th:nth-child(${shown.findIndex((c) => c.index === column) + 1}) button`)?.focus();
  }

  function render(): void {
    const header = h(
      "tr",
      { class: "govuk-table__row" },
      shown.map(({ column, index }) =>
        h(
          "th",
          {
            scope: "col",
            class: `govuk-table__header${column.numeric ? " govuk-table__header--numeric" : ""}`,
            "aria-sort": sort?.column === index ? sort.direction : "none",
          },
          h("button", { type: "button", class: "dashboard-sort-button", onclick: () => toggleSort(index) }, column.heading),
        ),
      ),
    );
    const body = sortedRows().map((row) =>
      h(
        "tr",
        { class: "govuk-table__row" },
        shown.map(({ column }) =>
          h(
            "td",
            { class: `govuk-table__cell${column.numeric ? " govuk-table__cell--numeric" : ""}` },
            column.render ? column.render(row) : String(column.value(row)),
          ),
        ),
      ),
    );
    // The caption may change with what the table shows (a getter in the options).
    scroller.setAttribute("aria-label", options.caption);
    table.replaceChildren(
      h("caption", { class: "govuk-table__caption govuk-table__caption--m" }, options.caption),
      h("thead", { class: "govuk-table__head" }, header),
      h("tbody", { class: "govuk-table__body" }, body),
    );
    stackOnPhones(table);
    const total = page?.totalCount ?? 0;
    status.textContent = `Showing ${rows.length.toLocaleString("en-GB")} of ${total.toLocaleString("en-GB")} ${options.rowName}${total === 1 ? "" : "s"}. Select a column heading to sort by it.`;
    more.hidden = !page?.hasNextPage;
    more.textContent = `Show the next ${options.rowName}s`;
    download.textContent = options.downloadFrom
      ? "Download every matching row as CSV"
      : options.downloadEveryRow
        ? `Download all ${total.toLocaleString("en-GB")} ${options.rowName}${total === 1 ? "" : "s"} as CSV`
        : `Download these ${rows.length.toLocaleString("en-GB")} ${options.rowName}s as CSV`;
    download.hidden = (options.downloadEveryRow !== undefined || options.downloadFrom !== undefined) && total === 0;
  }

  /** Fetches the next page into the table; false when that failed (the status says why). */
  async function fetchNext(size?: number): Promise<boolean> {
    const asked = generation;
    try {
      const next = await options.fetchPage(page?.endCursor ?? null, size);
      // Reloaded meanwhile (a filter changed): this page belongs to the rows that were.
      if (asked !== generation) return false;
      page = next;
      rows = [...rows, ...page.rows];
      render();
      return true;
    } catch (error) {
      if (asked === generation) status.textContent = (error as Error).message;
      return false;
    }
  }

  async function loadMore(): Promise<void> {
    more.disabled = true;
    await fetchNext();
    more.disabled = false;
  }

  async function downloadRows(): Promise<void> {
    if (options.downloadFrom) {
      download.disabled = true;
      const before = status.textContent;
      status.textContent = `Preparing the file of every matching ${options.rowName}…`;
      try {
        downloadCsv(options.csvFilename, await fetchFile(options.downloadFrom()));
        status.textContent = before;
      } catch (error) {
        status.textContent = `The file could not be made: ${(error as Error).message}`;
      } finally {
        download.disabled = false;
      }
      return;
    }
    if (options.downloadEveryRow) {
      download.disabled = true;
      let fetched = true;
      while (fetched && page?.hasNextPage) fetched = await fetchNext(options.downloadEveryRow.pageSize);
      download.disabled = false;
      // Half a download would pass for the whole: none unless every page came.
      if (!fetched) return;
    }
    downloadCsv(options.csvFilename, csv());
  }

  return {
    async reload() {
      generation++;
      rows = [];
      page = undefined;
      status.textContent = `Loading ${options.rowName}s…`;
      await loadMore();
    },
  };
}
