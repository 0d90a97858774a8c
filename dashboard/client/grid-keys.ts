/**
 * A table as one stop for the Tab key, moved around with the arrow keys inside: ARIA's grid pattern
 * with a roving tabindex (https://www.w3.org/WAI/ARIA/apg/patterns/grid/). Each cell's buttons and
 * links are its stops, or the cell itself when it has none, so every cell is a few keys away:
 * Left and Right go to the cell beside, Up and Down through a cell's stops and on to the cell above or
 * below, Home and End to the row's first and last cell, with Control to the grid's.
 */

const interactive = "button, a[href]";

/** Where a stop is: its row, its cell in the row and its place among the cell's stops. */
interface Place {
  row: number;
  column: number;
  index: number;
}

export function rovingGrid(table: HTMLTableElement): void {
  table.setAttribute("role", "grid");
  const stops: HTMLElement[][][] = [...table.rows].map((row) =>
    [...row.cells].map((cell) => {
      const inside = [...cell.querySelectorAll<HTMLElement>(interactive)];
      return inside.length ? inside : [cell];
    }),
  );
  const places = new Map<HTMLElement, Place>();
  stops.forEach((cells, row) =>
    cells.forEach((items, column) =>
      items.forEach((item, index) => {
        item.tabIndex = -1;
        places.set(item, { row, column, index });
      }),
    ),
  );
  // The first stop is the first thing to select in the body (an organisation on the map), not a heading.
  let current = [...places.keys()].find((item) => item.matches(interactive)) ?? stops[0]?.[0]?.[0];
  if (!current) return;
  current.tabIndex = 0;

  const at = ({ row, column, index }: Place): HTMLElement | undefined => {
    const items = stops[row]?.[column];
    return items?.[Math.min(index, items.length - 1)];
  };

  function next(place: Place, key: string, control: boolean): HTMLElement | undefined {
    const { row, column, index } = place;
    const lastColumn = (r: number) => (stops[r]?.length ?? 1) - 1;
    switch (key) {
      case "ArrowRight":
        return at({ row, column: Math.min(column + 1, lastColumn(row)), index });
      case "ArrowLeft":
        return at({ row, column: Math.max(column - 1, 0), index });
      case "ArrowDown":
        return stops[row]?.[column]?.[index + 1] ?? at(row + 1 < stops.length ? { row: row + 1, column, index: 0 } : place);
      case "ArrowUp":
        if (index > 0) return at({ row, column, index: index - 1 });
        return row > 0 ? at({ row: row - 1, column, index: Number.MAX_SAFE_INTEGER }) : at(place);
      case "Home":
        return at({ row: control ? 0 : row, column: 0, index: 0 });
      case "End": {
        const last = control ? stops.length - 1 : row;
        return at({ row: last, column: lastColumn(last), index: Number.MAX_SAFE_INTEGER });
      }
      default:
        return undefined;
    }
  }

  function move(to: HTMLElement): void {
    if (current) current.tabIndex = -1;
    current = to;
    to.tabIndex = 0;
  }

  table.addEventListener("keydown", (event) => {
    const from = event.target instanceof HTMLElement ? places.get(event.target) : undefined;
    if (!from || event.altKey || event.metaKey) return;
    const to = next(from, event.key, event.ctrlKey);
    if (!to) return;
    // The arrows move between stops here, rather than scroll the page.
    event.preventDefault();
    move(to);
    to.focus();
  });
  // A stop selected with the pointer is where the Tab key comes back to.
  table.addEventListener("focusin", (event) => {
    if (event.target instanceof HTMLElement && places.has(event.target)) move(event.target);
  });
}
