/** Waiting for the stop signals every server subcommand honours. */

/** Resolves on SIGTERM or SIGINT. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off("SIGTERM", term);
      process.off("SIGINT", int);
      resolve(sig);
    };
    const term = () => on("SIGTERM");
    const int = () => on("SIGINT");
    process.on("SIGTERM", term);
    process.on("SIGINT", int);
  });
}
