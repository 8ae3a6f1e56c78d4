// Types of the k6 extension module 'k6/x/timercallbacks' (xk6-build/ext/timercallbacks). It receives
// the HTTP callbacks of a timer service inside the k6 process and turns them into metrics. Run scripts
// that import it with K6_AUTO_EXTENSION_RESOLUTION=false.
declare module 'k6/x/timercallbacks' {
  export interface ListenOptions {
    /** host:port to listen on (port 0: any free port). Default '127.0.0.1:0'. */
    address?: string;
    /** A callback not arrived by its due time + graceMs is counted lost: an integer 0..3600000. Default 10000. */
    graceMs?: number;
  }

  export interface Listening {
    /** Where to send callbacks: http://<host>:<port>/callbacks (an unspecified host becomes the loopback address). */
    url: string;
    /** The address listened on, host:port. */
    address: string;
    graceMs: number;
  }

  /** The receiver's exact counts. */
  export interface CallbackStats {
    /** Callbacks announced with expect() and not cancelled. */
    expected: number;
    /** First arrivals of expected callbacks, in time (= samples of timer_callbacks_total). */
    received: number;
    /** Second and later arrivals of a received callback (timer_callbacks_duplicate_total). */
    duplicate: number;
    /** Expected callbacks not arrived by due time + grace (timer_callbacks_lost_total). */
    lost: number;
    /** Arrivals of callbacks already counted lost (they stay lost). */
    late: number;
    /** Arrivals nobody announced, and unreadable requests (timer_callbacks_unexpected_total). */
    unexpected: number;
    /** Expected, not arrived, deadline not passed. */
    pending: number;
  }

  /**
   * Starts the process's one receiver (call it from setup(); later calls return the running one).
   * Throws in the init context, for bad options, and when the address cannot be listened on.
   */
  export function listen(options?: ListenOptions): Listening;
  /**
   * Announces the callback of timer `id`, due at `dueAtMs` (epoch ms: the timer's executeAt). Call it
   * before creating the timer. False when `id` was announced before (the second is ignored).
   */
  export function expect(id: string, dueAtMs: number): boolean;
  /** Withdraws the announcement of a timer that was not created: false when it was not pending. */
  export function cancel(id: string): boolean;
  /**
   * From teardown(): waits until nothing is pending (each callback arrived, or counted lost at its due
   * time + grace) or maxWaitMs passed (default 60000), pushes every count, returns the counts.
   */
  export function settle(maxWaitMs?: number): CallbackStats;
  /** The counts now (all 0 before listen()). Works anywhere, handleSummary included. */
  export function stats(): CallbackStats;
}
