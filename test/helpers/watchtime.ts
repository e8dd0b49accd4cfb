import type { WatchtimeConfig } from '../../src/config/load.js';

/** Watch time's settings for tests: days in UTC from 08:00, every write at once */
export const TEST_WATCHTIME_CONFIG: WatchtimeConfig = {
  timeZone: 'UTC',
  dayStart: '08:00',
  minViewers: 0,
  gapSeconds: 600,
  flushSeconds: 0,
  sampleSeconds: 300,
  rawDays: 3,
  digestTime: '15:00',
  digestSeed: 0,
  answersPollSeconds: 60,
  chatChannels: [],
};
