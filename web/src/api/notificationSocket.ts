import { useEffect } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import type { SocketFrame } from "./types";

export const UNREAD_KEY = ["notifications", "unread-count"] as const;
const CLOSE_UNAUTHORIZED = 4401;

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/api/v1/ws`;
}

/**
 * Keeps the unread count live over /api/v1/ws. Authenticates with a first frame (the token never
 * appears in a URL), re-sends a fresh token when the session refreshes, reconnects with backoff, and
 * on a 4401 close refreshes the session once before trying again.
 */
export function useNotificationSocket(enabled: boolean): void {
  const qc = useQueryClient();

  useEffect(() => {
    if (!enabled || typeof WebSocket === "undefined") return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sentToken: string | null = null;
    let everReady = false;
    const MAX_ATTEMPTS_NEVER_READY = 4; // a server without the socket: fall back to polling quietly

    const onFrame = (frame: SocketFrame) => {
      switch (frame.type) {
        case "ready":
          attempt = 0;
          everReady = true;
          qc.setQueryData(UNREAD_KEY, frame.unread_count);
          break;
        case "unread_count":
          qc.setQueryData(UNREAD_KEY, frame.unread_count);
          break;
        case "notification":
          qc.setQueryData(UNREAD_KEY, frame.unread_count);
          void qc.invalidateQueries({ queryKey: ["notifications", "list"] });
          break;
        case "ping":
          ws?.send(JSON.stringify({ type: "pong" }));
          break;
        default:
          break;
      }
    };

    const connect = () => {
      const token = api.session.getState().accessToken;
      if (stopped || !token) return;
      ws = new WebSocket(socketUrl());
      ws.onopen = () => {
        sentToken = token;
        ws?.send(JSON.stringify({ type: "auth", token }));
      };
      ws.onmessage = (e) => {
        try {
          onFrame(JSON.parse(String(e.data)) as SocketFrame);
        } catch {
          // ignore malformed frames
        }
      };
      ws.onclose = (e) => {
        ws = null;
        if (stopped) return;
        const retry = () => {
          attempt += 1;
          if (!everReady && attempt > MAX_ATTEMPTS_NEVER_READY) return;
          const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() * 0.5);
          timer = setTimeout(connect, delay);
        };
        if (e.code === CLOSE_UNAUTHORIZED) {
          void api.refresh().then((ok) => (ok ? retry() : undefined));
        } else {
          retry();
        }
      };
    };

    // Extend the socket past the old token's expiry when the session refreshes.
    const unsubscribe = api.session.subscribe(() => {
      const token = api.session.getState().accessToken;
      if (ws && ws.readyState === WebSocket.OPEN && token && token !== sentToken) {
        sentToken = token;
        ws.send(JSON.stringify({ type: "auth", token }));
      }
    });

    connect();
    return () => {
      stopped = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      ws?.close(1000);
    };
  }, [enabled, qc]);
}
