import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import { renderHighlight } from "../highlight";
import { formatMoney, formatDuration } from "../format";
import { t } from "../../i18n";

describe("renderHighlight", () => {
  it("keeps <mark> matches and renders everything else as text", () => {
    const { container } = render(<p>{renderHighlight('Intro to <mark>Python</mark> &amp; <img src=x onerror="alert(1)">data')}</p>);
    expect(container.querySelectorAll("mark")).toHaveLength(1);
    expect(container.querySelector("mark")?.textContent).toBe("Python");
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toBe("Intro to Python & data");
  });

  it("does not turn escaped markup into elements", () => {
    const { container } = render(<p>{renderHighlight("&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>")}</p>);
    expect(container.querySelector("script")).toBeNull();
    expect(container.textContent).toBe("<script>alert(1)</script> x");
  });
});

describe("format", () => {
  it("formats integer minor units with the currency, and null as free", () => {
    expect(formatMoney({ amount: 49900, currency: "INR" })).toBe("₹499");
    expect(formatMoney({ amount: 49950, currency: "INR" })).toBe("₹499.50");
    expect(formatMoney(null)).toBe("Free");
  });

  it("formats durations", () => {
    expect(formatDuration(3600 + 30 * 60)).toBe("1 h 30 min");
    expect(formatDuration(20)).toBe("1 min");
    expect(formatDuration(0)).toBe("");
  });
});

describe("t", () => {
  it("interpolates variables", () => {
    expect(t("pagination.status", { page: 2, pages: 5 })).toBe("Page 2 of 5");
  });
});

import { initials } from "../../components/UserMenu";
describe("initials", () => {
  it("skips honorifics and non-letters", () => {
    expect(initials("Dr. Lakshmi Prasanna (Admin)")).toBe("LP");
    expect(initials("Asha Rao")).toBe("AR");
    expect(initials("Prof. Ravi Kumar Varma")).toBe("RV");
    expect(initials("  ")).toBe("?");
  });
});
