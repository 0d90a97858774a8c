// esbuild's text loader gives a .graphql file's contents as a string.
declare module "*.graphql" {
  const text: string;
  export default text;
}

// govuk-frontend ships no type declarations; the dashboard uses one function of it.
declare module "govuk-frontend" {
  export function initAll(config?: { scope?: HTMLElement }): void;
}
