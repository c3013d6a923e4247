import { describe, expect, it } from '@jest/globals';
import { ScheduleClock } from './schedule-clock.js';

describe('schedule clock - when interval and cron slots are due', () => {
  it('gives interval slots as floor(now / everyMs)', () => {
    const clock = new ScheduleClock();
    const schedule = { type: 'interval' as const, everyMs: 1000 };
    expect(clock.due('p', schedule, 10_500)).toEqual({ schedule: 'interval:1000', slot: 10 });
    expect(clock.due('p', schedule, 10_999)).toEqual({ schedule: 'interval:1000', slot: 10 });
    expect(clock.due('p', schedule, 11_000)).toEqual({ schedule: 'interval:1000', slot: 11 });
  });

  it('fires a cron slot once its time passed, once, and skips missed fires', () => {
    const clock = new ScheduleClock();
    const schedule = { type: 'cron' as const, cron: '0 * * * *', timezone: 'UTC' };
    const t0 = Date.parse('2030-01-01T10:15:00Z');
    expect(clock.due('p', schedule, t0)).toBeUndefined();
    const fire = Date.parse('2030-01-01T11:00:00Z');
    expect(clock.due('p', schedule, fire + 10)).toEqual({ schedule: 'cron:0 * * * *:UTC', slot: fire });
    expect(clock.due('p', schedule, fire + 20)).toBeUndefined();
    // Three hours later: one slot (the 12:00 one that came next), not three.
    expect(clock.due('p', schedule, Date.parse('2030-01-01T14:30:00Z'))).toEqual({ schedule: 'cron:0 * * * *:UTC', slot: Date.parse('2030-01-01T12:00:00Z') });
    expect(clock.due('p', schedule, Date.parse('2030-01-01T14:31:00Z'))).toBeUndefined();
  });

  it('has nothing due for manual and event schedules', () => {
    const clock = new ScheduleClock();
    expect(clock.due('p', { type: 'manual' }, Date.now())).toBeUndefined();
    expect(clock.due('p', { type: 'event', event: 'a.*' }, Date.now())).toBeUndefined();
  });
});
