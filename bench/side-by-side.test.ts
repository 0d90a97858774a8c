import { describe, expect, it } from "vitest";
import { sameness } from "./side-by-side.js";

describe("how a way's answer compares with the reference's", () => {
  const reference = JSON.stringify({ services: [{ id: "s", stages: [{ name: "a" }, { name: "b" }] }] });

  it("is the same byte for byte, or the same data with its objects' keys in another order", () => {
    expect(sameness(reference, reference)).toMatch(/^is the same, byte for byte/);
    expect(sameness(JSON.stringify({ services: [{ stages: [{ name: "a" }, { name: "b" }], id: "s" }] }), reference)).toMatch(/keys in another order/);
  });

  it("says where it first differs: a value, a list's length or order, or an error in place of the answer", () => {
    expect(sameness(JSON.stringify({ services: [{ id: "s", stages: [{ name: "a" }, { name: "c" }] }] }), reference)).toBe(
      "is DIFFERENT at services[0].stages[1].name from",
    );
    expect(sameness(JSON.stringify({ services: [{ id: "s", stages: [{ name: "b" }, { name: "a" }] }] }), reference)).toBe(
      "is DIFFERENT at services[0].stages[0].name from",
    );
    expect(sameness(JSON.stringify({ services: [{ id: "s", stages: [{ name: "a" }] }] }), reference)).toBe("is DIFFERENT at services[0].stages[1] from");
    expect(sameness("HTTP 500: oops", reference)).toBe("is DIFFERENT (HTTP 500: oops) from");
  });
});
