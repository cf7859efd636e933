import type { Strategy } from "../types.ts";

// PLACEHOLDER: replaced by the resource's real strategy.
export const strategy: Strategy = { validate: () => [] };
