import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { en, type MessageKey } from "../en";
import { te } from "../te";
import { addMessages, chooseLocale, getLocale, preferredLocale, setLocale, startLocale, t } from "..";
import { ApiError } from "../../api/errors";
import { LanguageSelect } from "../../components/Layout";

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

beforeEach(() => {
  localStorage.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
  setLocale("en");
});

describe("Telugu messages", () => {
  it("translate every English message, keeping its placeholders", () => {
    const keys = Object.keys(en) as MessageKey[];
    const missing = keys.filter((k) => !te[k]);
    expect(missing).toEqual([]);
    expect(Object.keys(te).filter((k) => !(k in en))).toEqual([]);
    const mismatched = keys.filter((k) => placeholders(te[k] ?? "").join() !== placeholders(en[k]).join());
    expect(mismatched).toEqual([]);
    // Translated, not copied: the navigation reads in Telugu script.
    expect(te["nav.catalog"]).toMatch(/[\u0C00-\u0C7F]/);
  });
});

describe("choosing the language", () => {
  it("prefers the saved choice, then a Telugu browser, then English", () => {
    vi.stubGlobal("navigator", { language: "en-IN", languages: ["en-IN", "en"] });
    expect(preferredLocale()).toBe("en");
    vi.stubGlobal("navigator", { language: "te-IN", languages: ["te-IN", "en"] });
    expect(preferredLocale()).toBe("te");
    localStorage.setItem("lms.locale", "en");
    expect(preferredLocale()).toBe("en");
    localStorage.setItem("lms.locale", "xx");
    expect(preferredLocale()).toBe("te");
  });

  it("loads Telugu at start when chosen, and falls back to English for a missing key", async () => {
    localStorage.setItem("lms.locale", "te");
    expect(await startLocale()).toBe("te");
    expect(getLocale()).toBe("te");
    expect(document.documentElement.lang).toBe("te");
    expect(t("nav.catalog")).toBe(te["nav.catalog"]);
    expect(t("footer.copyright", { year: 2026 })).toContain("2026");
    expect(t("no.such.key" as MessageKey)).toBe("no.such.key");
  });

  it("saves the choice on this device and reloads", () => {
    const reload = vi.fn();
    chooseLocale("te", reload);
    expect(localStorage.getItem("lms.locale")).toBe("te");
    expect(reload).toHaveBeenCalledOnce();
  });

  it("offers each language in its own name, showing the current one", async () => {
    setLocale("te");
    render(<LanguageSelect />);
    const select = screen.getByLabelText(te["footer.language"] ?? en["footer.language"]);
    expect(select).toHaveValue("te");
    expect(screen.getByRole("option", { name: "English" })).toBeInTheDocument();
    expect(screen.getByRole("option", { name: "తెలుగు" })).toBeInTheDocument();
  });
});

describe("error messages", () => {
  const problem = { code: "course_full", detail: "Course 'Signals' has no seats left." };

  it("show the server's detail in English", () => {
    setLocale("en");
    expect(new ApiError(409, problem).message).toBe(problem.detail);
  });

  it("show a known code in Telugu, and the server's detail for an unknown one", () => {
    addMessages("te", te);
    setLocale("te");
    expect(new ApiError(409, problem).message).toBe(te["problem.course_full"]);
    expect(new ApiError(409, { code: "brand_new_code", detail: "Something new." }).message).toBe("Something new.");
  });
});
