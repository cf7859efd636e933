/**
 * EndpointSlices select on metadata.name and metadata.namespace only: kube registers no extra
 * field label conversion for discovery.k8s.io (addressType is not selectable), and its
 * GetAttrs uses the default ObjectMeta field set.
 */
import type { FieldGetters } from "../types.ts";

export const fields: FieldGetters = {};
