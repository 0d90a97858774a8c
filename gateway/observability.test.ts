import { describe, expect, it } from "vitest";
import { boundedLabel } from "../platform/metrics.js";
import { isValidRequestId, requestIdsFor } from "./observability.js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const requestWithId = (id?: string) => new Request("http://gateway/graphql", id === undefined ? {} : { headers: { "x-request-id": id } });

describe("request ids", () => {
  it.each(["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "trace.span:01_A", "x".repeat(64)])(
    "keeps the client's %s apart, beside a new id of its own",
    (id) => {
      expect(isValidRequestId(id)).toBe(true);
      const ids = requestIdsFor(requestWithId(id));
      expect(ids.clientRequestId).toBe(id);
      expect(ids.requestId).toMatch(uuid);
      expect(ids.requestId).not.toBe(id);
    },
  );

  it.each([
    ["too long", "x".repeat(65)],
    ["empty", ""],
    ["markup", "<script>alert(1)</script>"],
    ["spaces and quotes", 'a "b"'],
    ["a log line of its own", 'a\\n{"level":50}'],
    ["Latin-1", "identifiant-\u00e9"],
  ])("drops one that is %s", (_, id) => {
    expect(isValidRequestId(id)).toBe(false);
    const ids = requestIdsFor(requestWithId(id));
    expect(ids).toEqual({ requestId: expect.stringMatching(uuid) });
  });

  it.each([
    ["a new line", "a\nb"],
    ["a null character", "a\u0000b"],
    ["non-ASCII", "идентификатор"],
  ])("refuses one with %s (no HTTP header can carry it)", (_, id) => {
    expect(isValidRequestId(id)).toBe(false);
  });

  it("gives every request a new UUID, whatever id the client sends", () => {
    expect(requestIdsFor(requestWithId())).not.toEqual(requestIdsFor(requestWithId()));
    expect(requestIdsFor(requestWithId("same")).requestId).not.toBe(requestIdsFor(requestWithId("same")).requestId);
  });
});

describe("metric labels for names clients choose", () => {
  it("keeps the first ones, then says other, so the registry stays bounded", () => {
    const label = boundedLabel(2);
    expect([label("A"), label("B"), label("C"), label("A"), label(undefined)]).toEqual(["A", "B", "other", "A", "Anonymous"]);
    expect(boundedLabel()("x".repeat(500))).toHaveLength(100);
  });
});
