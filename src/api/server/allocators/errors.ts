/** Allocation failures with kube's messages (pkg/registry/core/service/ipallocator, portallocator). */

export type AllocErrorKind = "full" | "allocated" | "mismatched" | "notInRange" | "notReady";

export class AllocError extends Error {
  constructor(
    readonly kind: AllocErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export const ipErrors = {
  full: () => new AllocError("full", "range is full"),
  allocated: () => new AllocError("allocated", "provided IP is already allocated"),
  mismatched: () => new AllocError("mismatched", "the provided network does not match the current range"),
  notInRange: (ip: string, cidr: string) =>
    new AllocError(
      "notInRange",
      `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`,
    ),
  notReady: () => new AllocError("notReady", "allocator not ready"),
};

export const portErrors = {
  full: () => new AllocError("full", "range is full"),
  allocated: () => new AllocError("allocated", "provided port is already allocated"),
  notInRange: (range: string) =>
    new AllocError(
      "notInRange",
      `provided port is not in the valid range. The range of valid ports is ${range}`,
    ),
};
