import { describe, expect, it } from "vitest";
import { isValidDate, isValidDateTime } from "./dates.js";

describe("dates that exist", () => {
  it("accepts real days, leap days included", () => {
    for (const date of ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "0004-02-29"]) expect(isValidDate(date), date).toBe(true);
  });

  it("refuses days that do not exist and years outside 0001 to 9999, rather than moving them", () => {
    for (const date of [
      "2024-02-30",
      "2023-02-29",
      "1900-02-29",
      "2024-04-31",
      "2024-13-01",
      "2024-00-10",
      "2024-01-00",
      "-0001-01-01",
      "0000-01-01",
      "+12024-01-01",
      "2024-1-1",
      "2024-01-01T00:00:00Z",
      "",
      "yesterday",
    ]) {
      expect(isValidDate(date), date).toBe(false);
    }
  });

  it("accepts ISO 8601 date-times with or without an offset, and a date alone", () => {
    for (const value of ["2024-02-29T09:30:00Z", "2024-02-29T09:30:00.123456789+01:00", "2024-02-29T23:59", "2024-02-29", "2024-02-29T00:00:00-0500"]) {
      expect(isValidDateTime(value), value).toBe(true);
    }
  });

  it("refuses date-times whose day, hour, minute, second or offset does not exist", () => {
    for (const value of [
      "2024-02-30T00:00:00Z",
      "2024-02-29T24:00:00Z",
      "2024-02-29T10:60:00Z",
      "2024-02-29T10:00:61Z",
      "2024-02-29T10:00:00+19:00",
      "2024-02-29T10:00:00+01:75",
      "-0001-01-01T00:00:00Z",
      "2024-02-29 junk",
    ]) {
      expect(isValidDateTime(value), value).toBe(false);
    }
  });
});
