/** The API client of a client subcommand, from its --kubeconfig. */
import { loadKubeconfig } from "../client/kubeconfig.ts";
import { RestClient } from "../client/rest.ts";
import { UsageError } from "./flags.ts";

/** A RestClient for the kubeconfig at this path; a bad file is a usage error. */
export function clientFor(kubeconfig: string): RestClient {
  try {
    return new RestClient(loadKubeconfig(kubeconfig), { userAgent: "skiff" });
  } catch (e) {
    throw new UsageError(`cannot use kubeconfig ${kubeconfig}: ${e instanceof Error ? e.message : e}`);
  }
}
