/** Leases select on metadata.name and metadata.namespace only: kube registers no extra field labels. */
import type { FieldGetters } from "../types.ts";

export const fields: FieldGetters = {};
