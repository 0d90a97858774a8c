// esbuild's text loader gives a .graphql file's contents as a string.
declare module "*.graphql" {
  const text: string;
  export default text;
}

// govuk-frontend ships no type declarations; the dashboard uses these of it.
declare module "govuk-frontend" {
  export function initAll(config?: { scope?: HTMLElement }): void;
  /** Focuses the summary, and makes its links focus the field they name. */
  export class ErrorSummary {
    constructor(element: Element, config?: { disableAutoFocus?: boolean });
  }
}
