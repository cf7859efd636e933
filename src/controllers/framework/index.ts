/** Shared controller plumbing. See ../README.md. */
export { type CoreEvent, EventRecorder, type EventRecorderOptions, type EventType } from "./events.ts";
export { enqueueHandlers, InformerFactory, type InformerRequest } from "./informers.ts";
export { kinds } from "./kinds.ts";
export { type RunControllerOptions, runController } from "./run.ts";
