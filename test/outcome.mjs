// For the child scenarios run on every host (no vitest there): what a call
// came to, as the scenarios report it.

/** "ok", or the error's code (its text when it has none). */
export const codeOf = (promise) =>
  promise.then(
    () => "ok",
    (error) => error?.code ?? String(error),
  );
