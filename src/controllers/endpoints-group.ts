/** The three endpoint controllers, sharing one set of informers. */
import type { RestClient } from "../client/index.ts";
import { EndpointsController } from "./endpoints/controller.ts";
import { EndpointSliceController } from "./endpointslice/controller.ts";
import { EndpointSliceMirroringController } from "./endpointslicemirroring/controller.ts";
import { InformerFactory } from "./framework/index.ts";

export interface EndpointControllersOptions {
  informers?: InformerFactory;
  /** Told about failed reconciles (they are retried with backoff). */
  onError?: (controller: string, key: string, err: unknown) => void;
}

/** Run the EndpointSlice, Endpoints and EndpointSlice mirroring controllers until signal aborts. */
export async function startEndpointControllers(
  client: RestClient,
  signal: AbortSignal,
  opts: EndpointControllersOptions = {},
): Promise<void> {
  const informers = opts.informers ?? new InformerFactory(client);
  const onError = (name: string) => (key: string, err: unknown) => opts.onError?.(name, key, err);
  await Promise.all([
    new EndpointSliceController(client, { informers, onError: onError("endpointslice") }).run(signal),
    new EndpointsController(client, { informers, onError: onError("endpoints") }).run(signal),
    new EndpointSliceMirroringController(client, {
      informers,
      onError: onError("endpointslicemirroring"),
    }).run(signal),
  ]);
}
