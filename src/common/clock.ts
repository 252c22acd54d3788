import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The app's notion of "now". Everything time-dependent (lead times, expiry, no-shows, lockouts)
 * asks the Clock, never `new Date()` directly, so tests can move time instead of waiting.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;

  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }

  /** Tests only: make `now()` return this instant (frozen) until `advance`, `travel` or `reset`. */
  freeze(at: Date | string): void {
    this.frozenAt = new Date(at).getTime();
  }

  /** Tests only: move time forward (or back, with a negative amount), frozen or running. */
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  /** Tests only: let time run again from `at`. */
  travel(at: Date | string): void {
    this.frozenAt = null;
    this.offsetMs = new Date(at).getTime() - Date.now();
  }

  reset(): void {
    this.frozenAt = null;
    this.offsetMs = 0;
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
