import { describe, expect, it, vi, beforeEach, afterEach } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MediaUpload } from "../MediaUpload";
import { session } from "../../api/session";

/** A stand-in XMLHttpRequest that reports progress and answers with the given response. */
function fakeXhr(status: number, body: unknown, sent: FormData[]) {
  return class {
    status = 0;
    responseText = "";
    withCredentials = false;
    headers: Record<string, string> = {};
    upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    open() {}
    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }
    getResponseHeader() {
      return status >= 400 ? "application/problem+json" : "application/json";
    }
    abort() {}
    send(form: FormData) {
      sent.push(form);
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
      setTimeout(() => {
        this.status = status;
        this.responseText = JSON.stringify(body);
        this.onload?.();
      }, 0);
    }
  };
}

beforeEach(() => session.setAuthenticated("token-1", null));
afterEach(() => vi.unstubAllGlobals());

describe("MediaUpload", () => {
  it("uploads the chosen file and hands the stored media to the form", async () => {
    const sent: FormData[] = [];
    const media = { id: "m1", filename: "week1.mp4", path: "/api/v1/media/m1/content" };
    vi.stubGlobal("XMLHttpRequest", fakeXhr(201, media, sent));
    const onUploaded = vi.fn();
    render(<MediaUpload courseId="c1" label="Upload a video" isPublic onUploaded={onUploaded} />);
    const file = new File(["abc"], "week1.mp4", { type: "video/mp4" });
    await userEvent.upload(screen.getByLabelText("Upload a video"), file);
    await waitFor(() => expect(onUploaded).toHaveBeenCalledWith(media));
    expect(screen.getByText("Uploaded week1.mp4.")).toBeInTheDocument();
    expect(sent[0].get("file")).toBeInstanceOf(File);
    expect(sent[0].get("public")).toBe("true");
  });

  it("shows the server's problem detail when the file is refused", async () => {
    vi.stubGlobal(
      "XMLHttpRequest",
      fakeXhr(415, { status: 415, title: "Unsupported media type", code: "unsupported_media", detail: "This kind of file cannot be uploaded." }, []),
    );
    const onUploaded = vi.fn();
    render(<MediaUpload courseId="c1" label="Upload a file" onUploaded={onUploaded} />);
    await userEvent.upload(screen.getByLabelText("Upload a file"), new File(["<html>"], "page.html", { type: "text/html" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This kind of file cannot be uploaded.");
    expect(onUploaded).not.toHaveBeenCalled();
  });
});
