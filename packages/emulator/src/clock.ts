/**
 * Emulated time. Timestamps stay real (plus any offset from `advanceTime`), while every
 * duration is divided by the time scale, so a 60 s window lasts 60/N real seconds.
 */

/** Source of time and converter of emulated durations. */
export class Clock {
  private offsetMs = 0;

  /** @param timeScale - emulated seconds per real second */
  constructor(readonly timeScale: number) {
    if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  }

  /** Current time in epoch milliseconds, as the emulator sees it. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Real milliseconds an emulated duration lasts. */
  realMs(emulatedSeconds: number): number {
    return (emulatedSeconds * 1000) / this.timeScale;
  }

  /** Moves time forward by an emulated duration. */
  advance(emulatedSeconds: number): void {
    this.offsetMs += this.realMs(emulatedSeconds);
  }
}
