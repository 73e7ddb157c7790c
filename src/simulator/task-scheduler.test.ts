import { describe, expect, it } from 'vitest';
import { TaskScheduler } from './task-scheduler.ts';

describe('TaskScheduler', () => {
  it('runs tasks in due order, ties in scheduling order', async () => {
    const scheduler = new TaskScheduler();
    const ran: string[] = [];
    scheduler.schedule(30, () => ran.push('c'));
    scheduler.schedule(10, () => ran.push('a'));
    scheduler.schedule(10, () => ran.push('b'));
    scheduler.schedule(0, () => ran.push('first'));
    // Wait for the timers, however busy the machine is (bounded at 5 s).
    for (let waited = 0; scheduler.pending > 0 && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(ran).toEqual(['first', 'a', 'b', 'c']);
    expect(scheduler.pending).toBe(0);
  });

  it('runAll() runs everything now, including what the tasks schedule', () => {
    const scheduler = new TaskScheduler();
    const ran: number[] = [];
    scheduler.schedule(10_000, () => {
      ran.push(1);
      scheduler.schedule(10_000, () => ran.push(2));
    });
    expect(scheduler.runAll()).toBe(2);
    expect(ran).toEqual([1, 2]);
  });

  it('clears every pending task on close()', async () => {
    const scheduler = new TaskScheduler();
    let ran = false;
    scheduler.schedule(5, () => {
      ran = true;
    });
    scheduler.close();
    scheduler.schedule(1, () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toBe(false);
    expect(scheduler.pending).toBe(0);
  });
});
