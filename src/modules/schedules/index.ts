// The schedules module as other modules see it: import it from here, never from its files.
export { findOldestDue } from "./queries.ts";
export { scheduleRoutes } from "./routes.ts";
export {
  defaultPolicy,
  runSchedulerRound,
  type SchedulerDeps,
  type SchedulerPolicy,
} from "./scheduler.ts";
export { testClockRoute } from "./test-clock-route.ts";
