export * from "./client";
export * from "./errors";
export * from "./endpoints";
export * from "./session";
export * from "./useSession";
export type * from "./types";
