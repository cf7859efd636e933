import type { FieldGetters } from "../types.ts";

// PLACEHOLDER: replaced by the resource's real field selectors.
export const fields: FieldGetters = {};
