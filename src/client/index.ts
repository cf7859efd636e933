/** The Kubernetes client every Skiff component builds on. See README.md. */
export {
  ApiError,
  isAlreadyExists,
  isApiError,
  isConflict,
  isExpired,
  isInvalid,
  isNotFound,
  statusFromResponse,
} from "./api-error.ts";
export {
  Cache,
  type CacheReader,
  type Indexers,
  type IndexFunc,
  namespaceIndex,
  objectKey,
  splitKey,
} from "./cache.ts";
export { type DeleteInfo, type EventHandlers, Informer, type InformerOptions } from "./informer.ts";
export {
  KubeconfigError,
  kubeconfigPaths,
  loadKubeconfig,
  type RestConfig,
  resolveKubeconfig,
} from "./kubeconfig.ts";
export { type ListerWatcher, Reflector, type ReflectorOptions, type ReflectorStore } from "./reflector.ts";
export type {
  DeleteOptions,
  ListOptions,
  ObjectList,
  PatchOptions,
  PatchType,
  ResourceClient,
  ResourceDescriptor,
  WatchOptions,
  WriteOptions,
} from "./resource.ts";
export { type Query, type RequestOptions, RestClient, type RestClientOptions } from "./rest.ts";
export type { WatchEvent } from "./watch.ts";
export { type RunWorkersOptions, runWorkers, WorkQueue, type WorkQueueOptions } from "./workqueue.ts";
