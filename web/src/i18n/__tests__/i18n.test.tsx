import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { en, type MessageKey } from "../en";
import { te } from "../te";
import { addMessages, chooseLocale, getLocale, preferredLocale, setLocale, startLocale, t } from "..";
import { ApiError } from "../../api/errors";
import { session, SessionStore } from "../../api/session";
import { chooseLanguage, followProfileLocale } from "../profile";
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

describe("the language on the profile", () => {
  const user = (locale: "en" | "te" | null) =>
    ({ id: "u1", email: "s@x.in", full_name: "S", role: "student", is_active: true, email_verified: true, created_at: "2026-12-04T00:00:00Z", locale }) as const;

  it("follows a signed-in user to a device where no language was chosen", () => {
    const store = new SessionStore(null);
    const choose = vi.fn();
    const stop = followProfileLocale(store, choose);
    store.setAuthenticated("token", user(null));
    expect(choose).not.toHaveBeenCalled();
    store.setAuthenticated("token", user("te"));
    expect(choose).toHaveBeenCalledWith("te");
    stop();
  });

  it("leaves a language chosen on this device alone", () => {
    localStorage.setItem("lms.locale", "en");
    const store = new SessionStore(null);
    store.setAuthenticated("token", user("te"));
    const choose = vi.fn();
    followProfileLocale(store, choose)();
    expect(choose).not.toHaveBeenCalled();
  });

  it("is saved on the profile of a signed-in user who chooses, then applied here", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(user("te")), { status: 200, headers: { "content-type": "application/json" } }));
    vi.stubGlobal("fetch", fetchMock);
    session.setAuthenticated("token", user("en"));
    const choose = vi.fn();
    await chooseLanguage(session, "te", choose);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toContain("/api/v1/users/me");
    expect(init.method).toBe("PATCH");
    expect(JSON.parse(String(init.body))).toEqual({ locale: "te" });
    expect(choose).toHaveBeenCalledWith("te");
    session.clear();
  });

  it("still switches this device when the profile cannot be saved", async () => {
    const fetchMock = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    vi.stubGlobal("fetch", fetchMock);
    session.setAuthenticated("token", user("en"));
    const choose = vi.fn();
    await chooseLanguage(session, "te", choose);
    expect(fetchMock).toHaveBeenCalled();
    expect(choose).toHaveBeenCalledWith("te");
    session.clear();
  });

  it("switches an anonymous visitor's device without calling the server", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    session.clear();
    const choose = vi.fn();
    await chooseLanguage(session, "te", choose);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(choose).toHaveBeenCalledWith("te");
  });
});

describe("starting offline", () => {
  it("falls back to English when the Telugu messages cannot be loaded", async () => {
    vi.resetModules();
    vi.doMock("../te", () => {
      throw new Error("Failed to fetch dynamically imported module");
    });
    try {
      const fresh = await import("..");
      localStorage.setItem("lms.locale", "te");
      expect(await fresh.startLocale()).toBe("en");
      expect(fresh.getLocale()).toBe("en");
      expect(document.documentElement.lang).toBe("en");
    } finally {
      vi.doUnmock("../te");
      vi.resetModules();
    }
  });
});
