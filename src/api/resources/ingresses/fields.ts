/**
 * Ingresses select on metadata.name and metadata.namespace only: kube's ingress GetAttrs uses the
 * default ObjectMeta field set and networking.k8s.io registers no field label conversions.
 */
import type { FieldGetters } from "../types.ts";

export const fields: FieldGetters = {};
