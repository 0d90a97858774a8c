/**
 * A table as one stop for the Tab key, its cells reached with the arrow keys: ARIA's grid pattern with
 * a roving tabindex (https://www.w3.org/WAI/ARIA/apg/patterns/grid/). Whole cells are the stops, so any
 * cell is a few keys away however many buttons the cells before it hold. The arrows go to the cell
 * beside, above or below; Home and End to the row's first and last cell, with Control to the grid's.
 * Enter or F2 goes into the cell, to its first button or link, and Tab on through the cell's others;
 * Escape goes back to the cell. Tab from a cell leaves the grid, which keeps its place for the return.
 */

const widgets = "button, a[href]";

export interface KeyboardGrid {
  /** Focuses the cell the grid's tab stop is on, while the grid is on the page. */
  focus(): void;
}

/**
 * Makes `table` a keyboard grid. `scroller` is the region it scrolls in, whose sticky header row and
 * column are kept from covering the cell focused.
 */
export function keyboardGrid(table: HTMLTableElement, scroller: HTMLElement): KeyboardGrid {
  table.setAttribute("role", "grid");
  const rows = [...table.rows].map((row) => [...row.cells]);
  const places = new Map<HTMLTableCellElement, { row: number; column: number }>();
  rows.forEach((cells, row) => cells.forEach((cell, column) => places.set(cell, { row, column })));
  for (const cell of places.keys()) cell.tabIndex = -1;
  for (const widget of table.querySelectorAll<HTMLElement>(widgets)) widget.tabIndex = -1;
  // The stop starts on the first cell with something to select (an organisation, on the map), not on a heading.
  let current = [...places.keys()].find((cell) => cell.querySelector(widgets)) ?? rows[0]?.[0];
  if (!current) return { focus() {} };
  current.tabIndex = 0;

  const widgetsOf = (cell: HTMLTableCellElement) => [...cell.querySelectorAll<HTMLElement>(widgets)];
  /** Only the cell entered has its buttons and links in the Tab order, so Tab goes through them and then out. */
  function enter(cell: HTMLTableCellElement | undefined): void {
    for (const widget of table.querySelectorAll<HTMLElement>(widgets)) widget.tabIndex = widget.closest("td, th") === cell ? 0 : -1;
  }
  function moveTo(cell: HTMLTableCellElement): void {
    current!.tabIndex = -1;
    current = cell;
    cell.tabIndex = 0;
  }

  /** Scrolls `cell` into view in the region, clear of the sticky headings, then on the page. */
  function reveal(cell: HTMLTableCellElement): void {
    const { row, column } = places.get(cell)!;
    const area = scroller.getBoundingClientRect();
    const box = cell.getBoundingClientRect();
    const stickyLeft = column > 0 ? (rows[row]?.[0]?.getBoundingClientRect().width ?? 0) : 0;
    const stickyTop = row > 0 ? (table.tHead?.getBoundingClientRect().height ?? 0) : 0;
    const left = area.left + scroller.clientLeft + stickyLeft;
    const right = area.left + scroller.clientLeft + scroller.clientWidth;
    if (box.left < left) scroller.scrollLeft -= left - box.left;
    else if (box.right > right) scroller.scrollLeft += Math.min(box.right - right, box.left - left);
    const top = area.top + scroller.clientTop + stickyTop;
    const bottom = area.top + scroller.clientTop + scroller.clientHeight;
    if (box.top < top) scroller.scrollTop -= top - box.top;
    else if (box.bottom > bottom) scroller.scrollTop += Math.min(box.bottom - bottom, box.top - top);
    cell.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  function focusCell(cell: HTMLTableCellElement): void {
    moveTo(cell);
    cell.focus({ preventScroll: true });
    reveal(cell);
  }

  function target(from: { row: number; column: number }, key: string, control: boolean): HTMLTableCellElement | undefined {
    const { row, column } = from;
    const last = rows.length - 1;
    const cellAt = (r: number, c: number) => {
      const cells = rows[r] ?? [];
      return cells[Math.min(c, cells.length - 1)];
    };
    switch (key) {
      case "ArrowRight":
        return cellAt(row, column + 1);
      case "ArrowLeft":
        return cellAt(row, Math.max(column - 1, 0));
      case "ArrowDown":
        return cellAt(Math.min(row + 1, last), column);
      case "ArrowUp":
        return cellAt(Math.max(row - 1, 0), column);
      case "Home":
        return cellAt(control ? 0 : row, 0);
      case "End":
        return cellAt(control ? last : row, Number.MAX_SAFE_INTEGER);
      default:
        return undefined;
    }
  }

  table.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey || !(event.target instanceof HTMLElement)) return;
    const cell = event.target.closest<HTMLTableCellElement>("td, th");
    if (!cell || !places.has(cell)) return;
    if (event.target !== cell) {
      // Inside a cell its buttons and links have the keys; Escape gives the arrows back to the grid.
      if (event.key === "Escape") {
        event.preventDefault();
        focusCell(cell);
      }
      return;
    }
    if (event.key === "Enter" || event.key === "F2") {
      const first = widgetsOf(cell)[0];
      if (!first) return;
      event.preventDefault();
      enter(cell);
      first.focus();
      return;
    }
    const to = target(places.get(cell)!, event.key, event.ctrlKey);
    if (!to) return;
    // The arrows, Home and End move between cells here, rather than scroll the page.
    event.preventDefault();
    focusCell(to);
  });
  table.addEventListener("focusin", (event) => {
    if (!(event.target instanceof HTMLElement)) return;
    const cell = event.target.closest<HTMLTableCellElement>("td, th");
    if (!cell || !places.has(cell)) return;
    // A cell or a button in it focused any way (the pointer, a link back from the details) is where Tab comes back to.
    moveTo(cell);
    enter(event.target === cell ? undefined : cell);
  });
  table.addEventListener("focusout", (event) => {
    if (!(event.relatedTarget instanceof Node && table.contains(event.relatedTarget))) enter(undefined);
  });
  return {
    focus() {
      if (table.isConnected) focusCell(current!);
    },
  };
}
