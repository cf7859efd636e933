/** The scheduler: binds unscheduled pods to Ready nodes. */
export { Scheduler, type SchedulerOptions, startScheduler } from "./controller.ts";
export { schedule, tolerates, unfitReason } from "./reconciler.ts";
