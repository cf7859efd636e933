import { errorBody, errorText, type FieldError } from "./field-errors.ts";

/** metav1.Status reasons the apiserver uses. */
export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "BadRequest"
  | "Expired"
  | "Gone"
  | "Unauthorized"
  | "Forbidden"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "Timeout"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "RequestEntityTooLarge";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that becomes a metav1.Status response. Throw it anywhere in a request. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const st: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) st.details = this.details;
    return st;
  }
}

/** A group/resource pair as kube prints it in messages: `services`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function grString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** A group/kind pair as kube prints it: `Service`, `Deployment.apps`. */
export function gkString(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

export const errors = {
  notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError(404, "NotFound", `${grString(gr)} "${name}" not found`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  },
  alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError(409, "AlreadyExists", `${grString(gr)} "${name}" already exists`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  },
  conflict(gr: GroupResource, name: string, why: string): StatusError {
    return new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${grString(gr)} "${name}": ${why}`,
      { name, group: gr.group || undefined, kind: gr.resource },
    );
  },
  /** 409 for an update carrying an old resourceVersion. */
  staleUpdate(gr: GroupResource, name: string): StatusError {
    return errors.conflict(
      gr,
      name,
      "the object has been modified; please apply your changes to the latest version and try again",
    );
  },
  invalid(group: string, kind: string, name: string, errs: FieldError[]): StatusError {
    const agg = errs.length === 1 ? errorText(errs[0]) : `[${errs.map(errorText).join(", ")}]`;
    return new StatusError(422, "Invalid", `${gkString(group, kind)} "${name}" is invalid: ${agg}`, {
      name,
      group: group || undefined,
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
    });
  },
  badRequest(message: string): StatusError {
    return new StatusError(400, "BadRequest", message);
  },
  /** 410 for a watch or list from a compacted resourceVersion. */
  expired(message = "too old resource version"): StatusError {
    return new StatusError(410, "Expired", message);
  },
  gone(message: string): StatusError {
    return new StatusError(410, "Gone", message);
  },
  unauthorized(): StatusError {
    return new StatusError(401, "Unauthorized", "Unauthorized");
  },
  forbidden(gr: GroupResource, name: string, why: string): StatusError {
    const what = name ? `${grString(gr)} "${name}"` : grString(gr);
    return new StatusError(403, "Forbidden", `${what} is forbidden: ${why}`, {
      name: name || undefined,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  },
  methodNotAllowed(message: string): StatusError {
    return new StatusError(405, "MethodNotAllowed", message);
  },
  notAcceptable(message: string): StatusError {
    return new StatusError(406, "NotAcceptable", message);
  },
  unsupportedMediaType(contentType: string): StatusError {
    return new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
      { causes: [{ reason: "UnexpectedServerResponse", message: contentType }] },
    );
  },
  internal(err: unknown): StatusError {
    const msg = err instanceof Error ? err.message : String(err);
    return new StatusError(500, "InternalError", `Internal error occurred: ${msg}`, {
      causes: [{ message: msg }],
    });
  },
  tooLarge(message: string): StatusError {
    return new StatusError(413, "RequestEntityTooLarge", message);
  },
};
