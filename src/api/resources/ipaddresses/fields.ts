/**
 * IPAddresses select on metadata.name only (cluster-scoped): kube registers no field label
 * conversion for them and their GetAttrs uses the default ObjectMeta field set.
 */
import type { FieldGetters } from "../types.ts";

export const fields: FieldGetters = {};
