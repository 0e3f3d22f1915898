/**
 * Where the collection provider imports the wait from: the wait itself lives in `resources/shared`, since
 * the download resource waits for the same actions on the same status reader. Kept as a re-export so the
 * collection provider, which is being changed in parallel, needs no edit; point its import at
 * `../shared/waitForFinal` and delete this file when convenient.
 */
export { nextPollAt, POLL_SCHEDULE, type WaitOptions, waitForFinal } from "../shared/waitForFinal";
