/**
 * Devices that onboard later (a lab VM that shows up in Defender minutes after it boots): until
 * their moment the Machines API does not show them and collect answers 404. Like action
 * statuses, visibility is computed from timestamps on every read; there are no timers.
 */
import type { Clock } from "./clock";
import type { Device } from "./types";

/** When each late device onboards. */
export class OnboardingSchedule {
  /** Device id → emulator epoch ms from which the device is onboarded. */
  private readonly onboardsAtMs = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /**
   * Schedules `device` to onboard `afterSeconds` emulated seconds from now, dating its
   * `firstSeen` and `lastSeen` to that moment. Zero or less onboards it at once.
   */
  schedule(device: Device, afterSeconds: number): void {
    if (!(afterSeconds > 0)) {
      this.onboardsAtMs.delete(device.id);
      return;
    }
    const atMs = this.clock.nowMs() + this.clock.realMs(afterSeconds);
    this.onboardsAtMs.set(device.id, atMs);
    const iso = new Date(atMs).toISOString();
    device.firstSeen = iso;
    device.lastSeen = iso;
  }

  /** Whether `device` has onboarded by now. */
  isOnboarded(device: Device): boolean {
    const atMs = this.onboardsAtMs.get(device.id);
    return atMs === undefined || this.clock.nowMs() >= atMs;
  }

  /** The devices of `fleet` that have onboarded by now, in fleet order. */
  onboarded(fleet: readonly Device[]): Device[] {
    return fleet.filter((device) => this.isOnboarded(device));
  }
}
