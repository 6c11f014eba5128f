/**
 * Placeholder. Replaced by `npm run gen:api` (openapi-typescript openapi.json -> this file)
 * once the server publishes /api/v1/openapi.json. Save it as web/openapi.json first:
 *   curl -s http://127.0.0.1:8000/api/v1/openapi.json -o web/openapi.json && npm run gen:api
 */
export type paths = Record<string, never>;
export type components = { schemas: Record<string, never> };
