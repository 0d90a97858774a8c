/**
 * What the dashboard's browser tests share: the stack in this process and Debian's Chromium, offline,
 * with a page signed in as a reader, as the Sign in view would leave it.
 */
import type { Browser, Page } from "playwright-core";
import { chromiumInstalled, chromiumPath, launchChromium, offlineContext, type OfflineContext } from "../dashboard/browser.js";
import { expect } from "vitest";
import { postGraphQL, startStack, testReader, tokenFor, type TestStack } from "./helpers.js";

export interface ReaderBrowser {
  stack: TestStack;
  browser: Browser;
  /** The reader's context: every page opened in it is signed in. */
  offline: OfflineContext;
  page: Page;
  /** The gateway's address, without `/graphql`. */
  origin: string;
  /** Asks the gateway as the reader, as the page does, to check what it shows against the graph; an error fails the test. */
  ask(query: string, variables?: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export async function startReaderBrowser(
  options: { stack?: Parameters<typeof startStack>[0]; viewport?: { width: number; height: number } } = {},
): Promise<ReaderBrowser> {
  if (!chromiumInstalled()) throw new Error(`Chromium is not installed at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH).`);
  const stack = await startStack(options.stack);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const offline = await offlineContext(browser, options.viewport);
    await offline.context.addInitScript((token) => sessionStorage.setItem("service-graph-token", token), await tokenFor(testReader));
    const page = await offline.context.newPage();
    const opened = browser;
    return {
      stack,
      browser,
      offline,
      page,
      origin: stack.gateway.url.replace(/\/graphql$/, ""),
      ask: async (query, variables = {}) => {
        const { body } = await postGraphQL(stack.gateway.url, query, variables, testReader);
        expect(body.errors).toBeUndefined();
        return body.data;
      },
      close: async () => {
        await opened.close();
        await stack.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await stack.close();
    throw error;
  }
}
