/** Reading and decoding request bodies: JSON, YAML and Kubernetes protobuf. */
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { errors, StatusError } from "../machinery/errors.ts";
import { decodeKubeProtobuf } from "../machinery/protobuf/index.ts";
import { isObject, type KubeObject } from "../machinery/types.ts";

/** kube-apiserver's default limit on request bodies (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  // Plain data/end events: cheaper per request than an async iterator.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (b: Buffer) => {
      if (failed) return;
      size += b.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge("Request entity too large: limit is 3145728"));
        return;
      }
      chunks.push(b);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on("error", (e) => {
      if (!failed) reject(e);
    });
  });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "application/json").split(";")[0].trim().toLowerCase();
}

/** Decode an object body; `expected` names the kind for kube's error text. */
export function decodeObject(body: Buffer, contentType: string | undefined, expected: string): KubeObject {
  const mt = mediaType(contentType);
  let value: unknown;
  if (body.length === 0) throw errors.badRequest("the server could not find the requested resource");
  try {
    if (mt === "application/json" || mt === "") value = JSON.parse(body.toString("utf8"));
    else if (mt === "application/yaml" || mt === "application/x-yaml" || mt === "text/yaml")
      value = parseYaml(body.toString("utf8"), { uniqueKeys: false });
    else if (mt === "application/vnd.kubernetes.protobuf") return decodeKubeProtobuf(body);
    else throw errors.unsupportedMediaType(mt);
  } catch (e) {
    if (e instanceof StatusError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw errors.badRequest(
      `the object provided is unrecognized (must be of type ${expected}): couldn't get version/kind; json parse error: ${why}`,
    );
  }
  if (!isObject(value))
    throw errors.badRequest(
      `the object provided is unrecognized (must be of type ${expected}): couldn't get version/kind; json parse error: expected an object`,
    );
  const obj = value as KubeObject;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isObject(obj.metadata)) throw errors.badRequest(`metadata: must be an object`);
  return obj;
}
