import type { FieldGetters } from "../types.ts";

/** Endpoints select on metadata.name and metadata.namespace only (handled by the server). */
export const fields: FieldGetters = {};
