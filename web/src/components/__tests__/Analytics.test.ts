import { describe, expect, it } from "vitest";
import { moneyTotal, percent } from "../Analytics";

describe("analytics figures", () => {
  it("show revenue per currency, and ₹0 before any payment", () => {
    expect(moneyTotal([])).toBe("₹0");
    expect(moneyTotal([{ amount: 120000, currency: "INR" }, { amount: 4050, currency: "USD" }])).toBe("₹1,200 + $40.50");
  });

  it("show a rate as a whole percentage, or a dash when there is none", () => {
    expect(percent(0.666)).toBe("67%");
    expect(percent(null)).toBe("—");
  });
});
