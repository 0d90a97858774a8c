import { describe, expect, it } from "vitest";
import { normaliseTheme, phaseOf, themeProps } from "./service-values.js";

describe("a service's values in one form", () => {
  it("spells a theme one way: sentence case, words in capitals kept, spacing collapsed", () => {
    expect(normaliseTheme("Government Internal")).toBe("Government internal");
    expect(normaliseTheme("government  internal ")).toBe("Government internal");
    expect(normaliseTheme("Coronavirus (COVID-19)")).toBe("Coronavirus (COVID-19)");
    expect(normaliseTheme("Citizenship and living in the UK")).toBe("Citizenship and living in the UK");
    expect(normaliseTheme("Permissions & Compliance Services")).toBe("Permissions & compliance services");
  });

  it("keeps the source's spelling beside the theme only where it differs", () => {
    expect(themeProps("Government Internal")).toEqual({ theme: "Government internal", themeAsWritten: "Government Internal" });
    expect(themeProps("Money and tax")).toEqual({ theme: "Money and tax", themeAsWritten: null });
    expect(themeProps(null)).toEqual({ theme: null, themeAsWritten: null });
  });

  it("takes a phase from the closed set, a source's word for none as null, and refuses any other by name", () => {
    expect(phaseOf("Beta", "phase")).toBe("BETA");
    expect(phaseOf("experimental", "phase")).toBe("EXPERIMENTAL");
    expect(phaseOf("Unknown", "phase", ["unknown"])).toBeNull();
    expect(() => phaseOf("Private beta", "phase")).toThrow(
      'phase "Private beta" is not a known phase (backlog, discovery, alpha, beta, live, retired, experimental)',
    );
  });
});
