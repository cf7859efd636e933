/**
 * Errors from the apiserver as the client sees them: the metav1.Status the server answered, or
 * one built from the HTTP status when the body was not a Status (like client-go's
 * NewGenericServerResponse), so callers always branch on code/reason.
 */
import type { Status, StatusDetails, StatusReason } from "../api/machinery/errors.ts";
import { isObject } from "../api/machinery/types.ts";

export class ApiError extends Error {
  readonly code: number;
  readonly reason: StatusReason | undefined;
  readonly details: StatusDetails | undefined;

  constructor(readonly status: Status) {
    super(status.message ?? `the server responded with status ${status.code}`);
    this.name = "ApiError";
    this.code = status.code;
    this.reason = status.reason;
    this.details = status.details;
  }
}

// client-go apimachinery/pkg/api/errors NewGenericServerResponse: reason and message per code.
const generic: Record<number, [StatusReason, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "the server has asked for the client to provide credentials"],
  403: ["Forbidden", "the server does not allow access to the requested resource"],
  404: ["NotFound", "the server could not find the requested resource"],
  405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
  406: ["NotAcceptable", "the server was unable to respond with a content type that the client supports"],
  409: ["Conflict", "the server reported a conflict"],
  410: ["Gone", "the server has asked for the client to retry the request later"],
  413: ["RequestEntityTooLarge", "the server has rejected the request because it is too large"],
  415: [
    "UnsupportedMediaType",
    "the server was unable to respond with a content type that the client supports",
  ],
  422: ["Invalid", "the server rejected our request due to an error in our request"],
  429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: [
    "Timeout",
    "the server was unable to return a response in the time allotted, but may still be processing the request",
  ],
};

/** The Status for an error response: the body when it is one, else a generic one for the code. */
export function statusFromResponse(code: number, body: string): Status {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isObject(parsed) && parsed.kind === "Status" && typeof parsed.code === "number") {
    return parsed as unknown as Status;
  }
  const st: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code };
  const g = generic[code];
  const text = body.trim();
  if (g) {
    st.reason = g[0];
    st.message = g[1];
  } else if (code >= 500) {
    st.reason = "InternalError";
    st.message = `an error on the server (${JSON.stringify(text.slice(0, 200) || "unknown")}) has prevented the request from succeeding`;
  } else {
    st.message = `the server has returned an unexpected error (code ${code})`;
  }
  if (text) st.details = { causes: [{ reason: "UnexpectedServerResponse", message: text.slice(0, 1000) }] };
  return st;
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function isNotFound(err: unknown): boolean {
  return isApiError(err) && (err.reason === "NotFound" || (err.reason === undefined && err.code === 404));
}

export function isAlreadyExists(err: unknown): boolean {
  return isApiError(err) && err.reason === "AlreadyExists";
}

export function isConflict(err: unknown): boolean {
  return isApiError(err) && err.reason === "Conflict";
}

export function isInvalid(err: unknown): boolean {
  return isApiError(err) && err.reason === "Invalid";
}

/** A resourceVersion too old to list or watch from: relist (code 410, reason Expired or Gone). */
export function isExpired(err: unknown): boolean {
  return isApiError(err) && (err.code === 410 || err.reason === "Expired" || err.reason === "Gone");
}
