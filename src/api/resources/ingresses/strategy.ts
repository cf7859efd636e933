/**
 * The Ingress strategy (pkg/registry/networking/ingress/strategy.go): status only through the
 * status subresource, spec only through the main resource. networking/v1 has no Ingress defaults
 * (pathType must be given). Generation is kept by the server (tracksGeneration).
 */
import type { Strategy } from "../types.ts";
import { validateIngress, validateIngressStatus } from "./validation.ts";

export const strategy: Strategy = {
  prepareForCreate(ing) {
    ing.status = { loadBalancer: {} };
  },
  prepareForUpdate(ing, old) {
    ing.status = old.status === undefined ? { loadBalancer: {} } : structuredClone(old.status);
  },
  validate: validateIngress,
  prepareForStatusUpdate(ing, old) {
    ing.spec = structuredClone(old.spec);
  },
  validateStatusUpdate: (ing) => validateIngressStatus(ing),
};
